// Domain errors carry their outcome: a stable code, the SMTP reply it maps to,
// the HTTP status for the API, and whether a queue should retry. One table,
// three mappers (toSmtp, toProblem, and `retryable` for queue handlers).

export interface ErrorSpec {
  /** SMTP reply code and enhanced status used when this error ends an SMTP command. */
  smtp: [number, string];
  http: number;
  retryable: boolean;
  title: string;
}

/** Stable error codes, each with one line of meaning (docs/ERRORS.md lists them too). */
export const ERRORS = {
  AUTH_REQUIRED: { smtp: [530, '5.7.0'], http: 401, retryable: false, title: 'Authentication required' },
  AUTH_FAILED: { smtp: [535, '5.7.8'], http: 401, retryable: false, title: 'Authentication failed' },
  AUTH_THROTTLED: { smtp: [454, '4.7.0'], http: 429, retryable: true, title: 'Too many failed logins' },
  TLS_REQUIRED: { smtp: [538, '5.7.11'], http: 400, retryable: false, title: 'Encryption required for authentication' },
  SENDER_NOT_ALLOWED: { smtp: [553, '5.7.1'], http: 403, retryable: false, title: 'Sender address not allowed for this login' },
  SENDER_LOCKED: { smtp: [550, '5.7.1'], http: 403, retryable: false, title: 'Sender is locked' },
  SENDER_THROTTLED: { smtp: [451, '4.7.1'], http: 429, retryable: true, title: 'Sender is throttled' },
  RATE_LIMITED: { smtp: [451, '4.7.1'], http: 429, retryable: true, title: 'Rate limit exceeded' },
  TOO_MANY_RECIPIENTS: { smtp: [452, '4.5.3'], http: 400, retryable: true, title: 'Too many recipients' },
  MESSAGE_TOO_BIG: { smtp: [552, '5.3.4'], http: 413, retryable: false, title: 'Message too big' },
  BAD_SYNTAX: { smtp: [501, '5.5.4'], http: 400, retryable: false, title: 'Bad syntax' },
  SMTPUTF8_REQUIRED: { smtp: [553, '5.6.7'], http: 400, retryable: false, title: 'Non-ASCII local part without SMTPUTF8' },
  SMUGGLING: { smtp: [550, '5.5.2'], http: 400, retryable: false, title: 'Bare LF or non-standard end of data' },
  TEMPORARY: { smtp: [451, '4.3.0'], http: 503, retryable: true, title: 'Temporary failure' },
  NOT_FOUND: { smtp: [550, '5.1.1'], http: 404, retryable: false, title: 'Not found' },
  VALIDATION: { smtp: [501, '5.5.4'], http: 400, retryable: false, title: 'Invalid request' },
  UNAUTHORIZED: { smtp: [530, '5.7.0'], http: 401, retryable: false, title: 'Missing or invalid token' },
  FORBIDDEN: { smtp: [550, '5.7.1'], http: 403, retryable: false, title: 'Not allowed' },
  DOMAIN_TAKEN: { smtp: [550, '5.7.1'], http: 409, retryable: false, title: 'Domain already registered' },
  USER_EXISTS: { smtp: [550, '5.7.1'], http: 409, retryable: false, title: 'User already exists' },
  QUOTA_EXCEEDED: { smtp: [550, '5.7.1'], http: 409, retryable: false, title: 'Quota exceeded' },
  CONFLICT: { smtp: [451, '4.3.0'], http: 409, retryable: true, title: 'Conflict' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class DomainError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message?: string) {
    super(message ?? ERRORS[code].title);
    this.code = code;
    this.name = 'DomainError';
  }
  get spec(): ErrorSpec {
    return ERRORS[this.code];
  }
  get retryable(): boolean {
    return ERRORS[this.code].retryable;
  }
}

export function isDomainError(err: unknown, code?: ErrorCode): err is DomainError {
  return err instanceof DomainError && (code === undefined || err.code === code);
}

/** SMTP reply for an error: known domain errors keep their code, anything else is a temporary failure. */
export function toSmtpReply(err: unknown): { code: number; message: string } {
  if (err instanceof DomainError) {
    const [code, enhanced] = err.spec.smtp;
    return { code, message: `${enhanced} ${err.message}` };
  }
  return { code: 451, message: '4.3.0 Temporary local problem, please try again later' };
}

/** RFC 9457 problem details body for the API. */
export function toProblem(err: unknown): { status: number; body: { type: string; title: string; status: number; detail: string; code: string } } {
  if (err instanceof DomainError) {
    const status = err.spec.http;
    return {
      status,
      body: { type: `https://relayguard.dev/errors/${err.code.toLowerCase()}`, title: err.spec.title, status, detail: err.message, code: err.code },
    };
  }
  return {
    status: 500,
    body: { type: 'about:blank', title: 'Internal error', status: 500, detail: 'An unexpected error occurred; it has been logged.', code: 'INTERNAL' },
  };
}
