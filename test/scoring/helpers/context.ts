import type { ContentContext } from '../../../core/scoring/index.js';

/** A tenant owning example.com, one recipient. */
export const CONTEXT: ContentContext = {
  tenantId: 't1',
  envelope: { mailFrom: 'alice@example.com', rcptTo: ['bob@example.net'] },
  identity: { kind: 'smtp-user', tenantId: 't1', username: 'example.com', userKind: 'domain' },
  ownedDomains: ['example.com'],
};
