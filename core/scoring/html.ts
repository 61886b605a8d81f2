// HTML to text for scoring, with the facts spam hides in markup: link text
// against href, hidden text, forms asking for passwords. Regex-based on
// purpose: it is fast and bounded, and scoring needs words, not layout.

export interface HtmlLink {
  href: string;
  /** Visible text of the anchor. */
  text: string;
}

export interface HtmlFacts {
  text: string;
  links: HtmlLink[];
  /** Characters of text inside elements styled to be invisible. */
  hiddenChars: number;
  images: number;
  forms: number;
  passwordInputs: number;
  /** <meta http-equiv="refresh"> or script: active content in mail. */
  scripts: number;
}

const NAMED: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '©', reg: '®', trade: '™',
  euro: '€', pound: '£', yen: '¥', cent: '¢', middot: '·', bull: '•', hellip: '…', mdash: '—', ndash: '–',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', eacute: 'é', egrave: 'è',
  aacute: 'á', agrave: 'à', iacute: 'í', oacute: 'ó', uacute: 'ú', ntilde: 'ñ', uuml: 'ü', ouml: 'ö', auml: 'ä', szlig: 'ß',
};

export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});?/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : '';
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

// Only styles that make text invisible whatever the background: white-on-colour and
// 1px spacers are everyday newsletter markup and prove nothing.
const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.\d+)?(?:px|pt|em)?\s*(?:;|$)/i;
const BLOCK_TAGS = /<\/?(?:p|div|br|tr|li|h[1-6]|table|blockquote|hr|td)\b[^>]*>/gi;

export function renderHtml(html: string): HtmlFacts {
  const facts: HtmlFacts = { text: '', links: [], hiddenChars: 0, images: 0, forms: 0, passwordInputs: 0, scripts: 0 };
  let s = html.replace(/<!--[\s\S]*?-->/g, ' ');
  s = s.replace(/<(script|style|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, (_m, tag: string) => {
    if (tag.toLowerCase() === 'script') facts.scripts++;
    return ' ';
  });
  if (/<meta[^>]+http-equiv\s*=\s*["']?refresh/i.test(html)) facts.scripts++;
  facts.images = countMatches(s, /<img\b/gi);
  facts.forms = countMatches(s, /<form\b/gi);
  facts.passwordInputs = countMatches(s, /<input\b[^>]*type\s*=\s*["']?password/gi);

  const anchor = /<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi;
  let m: RegExpExecArray | null;
  while ((m = anchor.exec(s)) && facts.links.length < 500) {
    const href = /href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(m[1]!);
    if (!href) continue;
    const text = decodeEntities(m[2]!.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
    facts.links.push({ href: decodeEntities((href[1] ?? href[2] ?? href[3] ?? '').trim()), text });
  }
  // Hidden text: the content of elements whose inline style hides them (one level deep is enough to flag it).
  const styled = /<(span|div|font|p|td|a)\b[^>]*style\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/\1\s*>/gi;
  while ((m = styled.exec(s))) {
    if (HIDDEN_STYLE.test(m[2] ?? m[3] ?? '')) facts.hiddenChars += m[4]!.replace(/<[^>]*>/g, '').replace(/\s+/g, '').length;
  }

  s = s.replace(BLOCK_TAGS, '\n').replace(/<[^>]*>/g, ' ');
  facts.text = decodeEntities(s).replace(/[ \t\r\f\v\u00a0]+/g, ' ').replace(/\n\s*/g, '\n').trim();
  return facts;
}

function countMatches(s: string, re: RegExp): number {
  let n = 0;
  re.lastIndex = 0;
  while (re.exec(s)) n++;
  return n;
}
