// The route table: every operation of the API, in the order the document lists them.
import type { Route } from './route.js';
import { accountRoutes } from './routes/account.js';
import { domainRoutes } from './routes/domains.js';
import { ipUserRoutes } from './routes/ip-users.js';
import { messageRoutes } from './routes/messages.js';
import { metaRoutes } from './routes/meta.js';
import { senderRoutes } from './routes/senders.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { tenantRoutes } from './routes/tenants.js';
import { userRoutes } from './routes/users.js';

export function allRoutes(document: () => object): Route[] {
  return [
    ...metaRoutes(document),
    ...tenantRoutes,
    ...accountRoutes,
    ...domainRoutes,
    ...userRoutes,
    ...ipUserRoutes,
    ...senderRoutes,
    ...messageRoutes,
    ...suppressionRoutes,
  ];
}
