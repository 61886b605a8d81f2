// The outbound transport DELIVERY_MODE names (set by the CDK app), built
// once per cold start: SES (raw SendEmail in Relayguard's configuration set)
// or direct MX / a smarthost (adapters/transport). Every step sends the ARF
// abuse reports of a lock with it (pipelineDeps in runtime.ts; core/notify),
// so reports leave the way all mail does; the deliver function sends each
// logged message through transportForMessage.
import type { Transport } from '../../core/ports.js';
import { SesTransport, createSesClient } from '../../adapters/aws/ses-transport.js';
import { clientOptionsFromEnv } from '../../adapters/aws/env.js';
import { transportFromEnv } from '../../adapters/transport/index.js';

let directMx: Transport | undefined;
let ses: SesTransport | undefined;

function sesTransport(): SesTransport {
  return (ses ??= new SesTransport(createSesClient(clientOptionsFromEnv()), {
    ...(process.env.SES_CONFIGURATION_SET ? { configurationSetName: process.env.SES_CONFIGURATION_SET } : {}),
  }));
}

/** The transport for mail that is not one of our logged messages (abuse reports). */
export function deliveryTransport(): Transport {
  if (process.env.DELIVERY_MODE === 'direct-mx') {
    return (directMx ??= transportFromEnv(process.env, process.env.RELAY_HOSTNAME ?? 'relayguard.local'));
  }
  return sesTransport();
}

/** The transport for one logged message: an SES send is tagged with its id, so SES events find the message again. */
export function transportForMessage(messageId: string): Transport {
  return process.env.DELIVERY_MODE === 'direct-mx' ? deliveryTransport() : sesTransport().forMessage(messageId);
}
