// The per-tenant suppression list: addresses that hard-bounced, complained or
// were added by the tenant are no longer offered to receiving servers. This
// module is the one import path for the deliver step, the feedback handler
// and the API.
//
//   applySuppressions   deliver step, before the transport   → suppressed recipients bounce, with a DSN
//   recordHardBounces   deliver step, after the attempt      → dead addresses join the list
//   recordBounce        SES bounce events (AWS feedback)     → the same rules, for replies seen later
//   recordComplaint     SES complaint events (AWS feedback)  → the address joins the list
//   list/add/removeSuppression   API                         → the tenant's own view
export { SUPPRESSION_RULES, suppressionFor, type SuppressionRule, type SuppressionDecision } from './rules.js';
export { suppressionKey, parseSuppressionAddress } from './address.js';
export { applySuppressions, suppressedReply, type SuppressionCheck } from './filter.js';
export { recordHardBounces, recordBounce, recordComplaint, type SuppressionDeps } from './record.js';
export { listSuppressions, addSuppression, removeSuppression } from './manage.js';
