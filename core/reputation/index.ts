// Sender reputation and lockout policy: the entry points the ingress, the
// score worker, the delivery worker, the feedback handler and the API call.
// Each lives in its own file; this module is their one import path.
//
//   checkSenderAllowed  ingress, MAIL FROM (and after DATA for X-AuthUser)  → 550 locked / 451 throttled
//   recordLogin         ingress, every AUTH                                  → access evidence
//   assessSender        score step, after content scoring                    → behaviour signals, throttle, lock
//   recordDeliveryOutcome  delivery step, per-recipient replies              → invalid-recipient evidence
//   recordFeedback      SES bounce / complaint events                        → outcome evidence
//   lockSender          API, manual lock / unlock                            → lock lifecycle
//   holdPendingMessages, isSenderLocked  pipeline: hold what a locked sender still has queued
export { checkSenderAllowed, isSenderLocked } from './check.js';
export { assessSender } from './assess.js';
export { recordLogin, recentLoginFailures, networkOf } from './login.js';
export { recordDeliveryOutcome, recordFeedback, isInvalidRecipient } from './outcome-events.js';
export { lockSender } from './manual.js';
export { holdPendingMessages } from './after-lock.js';
export { makePasswordProbe, textContainsPassword, type PasswordProbe } from './password-probe.js';
export { explainSender, type SenderExplanation } from './explain.js';
export { DEFAULT_SENDER_POLICY, SIGNAL_RULES, LOGIN_RULES, MATURITY_FLOORS, THRESHOLDS, policyFor, type SenderPolicy } from './policy.js';
export type { CampaignIndex, CampaignMember } from './ports.js';
export type { ReputationDeps, SenderContext, SenderAssessment, LoginAttempt, FeedbackEvent } from './types.js';
