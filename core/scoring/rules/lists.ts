// Data the rules look things up in. Lists, not code: extend them here.

/** Link shorteners: the real target is hidden until the click. */
export const URL_SHORTENERS = new Set([
  'bit.ly', 'bitly.com', 'tinyurl.com', 'goo.gl', 't.co', 'ow.ly', 'is.gd', 'buff.ly', 'rebrand.ly', 'cutt.ly',
  'shorturl.at', 'tiny.cc', 'rb.gy', 't.ly', 's.id', 'v.gd', 'x.co', 'bl.ink', 'lnkd.in', 'soo.gd', 'clck.ru',
  'qr.ae', 'tr.im', 'snip.ly', 'shorte.st', 'adf.ly', 'bc.vc', 'po.st', 'mcaf.ee', 'su.pr', 'u.to', 'urlz.fr',
]);

/** TLDs that abuse trackers (Spamhaus, Interisle) list as mostly malicious, plus free TLDs. */
export const SUSPICIOUS_TLDS = new Set([
  'zip', 'mov', 'top', 'xyz', 'click', 'loan', 'work', 'gq', 'tk', 'ml', 'ga', 'cf', 'country', 'stream',
  'download', 'racing', 'review', 'win', 'bid', 'kim', 'men', 'party', 'date', 'trade', 'webcam', 'science',
  'accountant', 'faith', 'cricket', 'rest', 'buzz', 'icu', 'cyou', 'sbs', 'cfd', 'monster', 'quest', 'surf', 'su',
]);

/** Free mailbox providers: a Reply-To there on mail from a company domain is a classic fraud pattern. */
export const FREEMAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'hotmail.com', 'outlook.com', 'live.com', 'msn.com',
  'aol.com', 'gmx.com', 'gmx.net', 'gmx.de', 'mail.com', 'mail.ru', 'yandex.ru', 'yandex.com', 'protonmail.com',
  'proton.me', 'icloud.com', 'me.com', 'zoho.com', 'qq.com', '163.com', '126.com', 'web.de', 'tutanota.com', 'excite.com',
]);

/** Credential-harvest phrases: asking the reader to log in, verify or "restore" an account. */
export const PHISHING_PHRASES: RegExp[] = [
  /\b(?:verify|confirm|validate|update|re-?activate|unlock|restore)\s+your\s+(?:account|identity|password|login|credentials|mailbox|e-?mail|billing|payment|card)\b/i,
  /\byour\s+(?:account|mailbox|password|card|access)\s+(?:has\s+been|was|will\s+be|is)\s+(?:suspended|locked|limited|disabled|deactivated|compromised|restricted|closed|expired?)\b/i,
  /\bunusual\s+(?:sign-?in|login|log-?in)\s+(?:activity|attempt)\b/i,
  /\b(?:mailbox|e-?mail)\s+(?:quota|storage)\s+(?:exceeded|is\s+full|limit)\b/i,
  /\b(?:log|sign)\s*-?in\s+(?:now\s+)?to\s+(?:avoid|prevent)\s+(?:suspension|termination|closure|deactivation)\b/i,
  /\bpassword\s+(?:expires?|expiring|will\s+expire)\b/i,
];

/** Advance-fee fraud: large sums, a beneficiary, and secrecy. */
export const ADVANCE_FEE_PHRASES: RegExp[] = [
  /\b(?:\d+(?:[.,]\d+)?\s*(?:million|m)\s*(?:us\s*)?(?:dollars|usd|euros|pounds)|usd\s*\d{1,3}(?:,\d{3}){2,})\b/i,
  /\b(?:next\s+of\s+kin|beneficiary|barrister|transfer\s+(?:of\s+)?(?:the\s+)?funds?|foreign\s+(?:partner|account)|strictest\s+confidence|late\s+(?:husband|father|client))\b/i,
];
