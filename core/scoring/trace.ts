// Removes what relays and mailing lists added after the sender submitted the
// message. An outbound gateway sees mail as submitted, so training and
// evaluation must not learn from these artefacts of the 2002 corpus (a ham
// "signal" like "List-Id: exmh-workers" would never be seen in production).

/** Header names (lower-case) or prefixes ending in '*' added in transit or by lists and mailbox tools. */
export const TRACE_HEADERS = [
  'received', 'delivered-to', 'return-path', 'x-spam-*', 'x-original-*', 'x-originalarrivaltime', 'envelope-to',
  'x-envelope-*', 'delivery-date', 'x-delivery-agent', 'x-apparently-to', 'x-authentication-warning',
  'list-*', 'x-mailing-list', 'mailing-list', 'x-beenthere', 'x-mailman-*', 'precedence', 'errors-to', 'sender',
  'x-loop', 'x-list*', 'x-egroups-*', 'x-yahoo-*', 'x-ebay-*', 'x-mailscanner*', 'x-virus*', 'x-amavis*',
  'x-scanned-by', 'x-filtered-by', 'x-razor*', 'x-pyzor*', 'x-dcc-*', 'x-mime-autoconverted', 'status', 'x-status',
  'x-keywords', 'x-uid', 'x-uidl', 'content-length', 'lines', 'x-rcpt-to', 'x-from-line', 'x-reply-to-list',
  'x-sequence', 'x-topica-*', 'x-returned-mail', 'x-mailer-version', 'x-recipient', 'resent-*',
  'x-spam', 'x-sieve', 'x-mail-from', 'x-delivered-to', 'x-mozilla-status*', 'x-received', 'x-imap*', 'x-evolution*',
  'x-gmail-*', 'x-antiabuse', 'x-authenticated-*', 'x-mda*', 'x-mailer-daemon*', 'x-info', 'x-info2',
];

const exact = new Set(TRACE_HEADERS.filter((h) => !h.endsWith('*')));
const prefixes = TRACE_HEADERS.filter((h) => h.endsWith('*')).map((h) => h.slice(0, -1));

export function isTraceHeader(name: string): boolean {
  const n = name.toLowerCase();
  return exact.has(n) || prefixes.some((p) => n.startsWith(p));
}

const LIST_HEADER = /^(?:list-id|x-beenthere|x-mailing-list|mailing-list|list-unsubscribe|x-egroups-return|x-mailman-version):/im;

// Footers mailing lists append to every post (Mailman, Yahoo! Groups, SourceForge).
const LIST_FOOTERS = [
  /\r?\n_{20,}\r?\n(?:[^\n]*\n){0,3}[^\n]*(?:listinfo|mailman|unsubscribe)[\s\S]*?(?=\r?\n--[^\s-][^\n]*\r?\n|$)/gi,
  /\r?\n-{10,} ?Yahoo! Groups Sponsor[\s\S]*?(?=\r?\n--[^\s-][^\n]*\r?\n|$)/gi,
  /\r?\nYour use of Yahoo! Groups is subject to[^\n]*/gi,
  /\r?\n-{20,}\r?\nThis sf\.net email is sponsored by[\s\S]*?(?=\r?\n--[^\s-][^\n]*\r?\n|$)/gi,
  /\r?\n-- ?\r?\nIrish Linux Users' Group[\s\S]*?(?=\r?\n--[^\s-][^\n]*\r?\n|$)/gi,
  /\r?\n-{3,}\r?\n[^\n]*(?:To unsubscribe|Archives:|Subscription)[^\n]*\r?\n[\s\S]{0,600}?(?:listinfo|unsubscribe)[^\n]*/gi,
];

/** The raw message with trace headers removed and list footers and subject tags cut. */
export function stripRelayTrace(raw: Buffer): Buffer {
  const s = raw.toString('latin1').replace(/^From [^\n]*\n/, ''); // mbox separator line
  const m = /\r?\n\r?\n/.exec(s);
  const headEnd = m ? m.index : s.length;
  const head = s.slice(0, headEnd);
  let body = m ? s.slice(headEnd) : '';
  const fromList = LIST_HEADER.test(head);
  const kept: string[] = [];
  let keep = true;
  for (const line of head.split(/(?<=\n)/)) {
    const c = line.charCodeAt(0);
    if (c === 0x20 || c === 0x09) { if (keep) kept.push(line); continue; }
    const colon = line.indexOf(':');
    keep = colon <= 0 || !isTraceHeader(line.slice(0, colon).trim());
    if (keep) kept.push(fromList && /^subject:/i.test(line) ? stripListTag(line) : line);
  }
  if (fromList) for (const re of LIST_FOOTERS) body = body.replace(re, '');
  let out = kept.join('');
  if (m && !out.endsWith('\n')) out += '\n';
  return Buffer.from(out.replace(/\r?\n$/, '') + body, 'latin1');
}

/** "Subject: Re: [ILUG] foo" -> "Subject: Re: foo": the list added the tag. */
function stripListTag(line: string): string {
  return line.replace(/^(subject:\s*(?:(?:re|fwd?|aw)\s*:\s*)*)\[[^\]\n]{1,30}\]\s*/i, '$1');
}
