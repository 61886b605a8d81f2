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
const BLOCK_TAGS = new Set(['p', 'div', 'br', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'blockquote', 'hr', 'td']);
/** Elements whose content is never shown as text. */
const SKIPPED = new Set(['script', 'style', 'head', 'title']);
/** Elements whose inline style can hide the text inside them. */
const HIDEABLE = new Set(['span', 'div', 'font', 'p', 'td', 'a']);
// `[^<>]*` stops at the next '<', so a flood of unclosed tags stays linear.
const TAG = /<(?:(!--)|(\/?)([a-z][a-z0-9]*)([^<>]*)>)/gi;
const MAX_LINK_TEXT = 300;

/** One linear pass over the markup (no backtracking regexes over the whole document). */
export function renderHtml(html: string): HtmlFacts {
  const facts: HtmlFacts = { text: '', links: [], hiddenChars: 0, images: 0, forms: 0, passwordInputs: 0, scripts: 0 };
  if (/<meta\b[^<>]{0,500}http-equiv\s*=\s*["']?refresh/i.test(html)) facts.scripts++;
  const out: string[] = [];
  let anchor: HtmlLink | undefined;
  const depth = new Map<string, number>();
  const hiddenOpen: { name: string; depth: number }[] = [];
  const emit = (raw: string) => {
    if (!raw) return;
    const t = decodeEntities(raw);
    out.push(t);
    if (anchor && anchor.text.length < MAX_LINK_TEXT) anchor.text += t;
    if (hiddenOpen.length > 0) facts.hiddenChars += t.replace(/\s+/g, '').length;
  };
  const closeAnchor = () => {
    if (!anchor) return;
    anchor.text = anchor.text.replace(/\s+/g, ' ').trim().slice(0, MAX_LINK_TEXT);
    if (facts.links.length < 500) facts.links.push(anchor);
    anchor = undefined;
  };
  const re = new RegExp(TAG.source, 'gi');
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html))) {
    emit(html.slice(pos, m.index));
    if (m[1]) { // comment: skip to its end, or drop the rest when it never ends
      const end = html.indexOf('-->', re.lastIndex);
      pos = end < 0 ? html.length : end + 3;
      re.lastIndex = pos;
      continue;
    }
    pos = re.lastIndex;
    const closing = m[2] === '/';
    const name = m[3]!.toLowerCase();
    const attrs = m[4] ?? '';
    if (!closing && SKIPPED.has(name)) {
      if (name === 'script') facts.scripts++;
      // A head ends at <body> too, as browsers end it: spam that leaves out </head> must not hide its body from
      // the scorer. Script, style and title run to their own end tag; unclosed, nothing after them is shown.
      const close = name === 'head' ? /<\/head\s*>|(?=<body\b)/gi : new RegExp(`</${name}\\s*>`, 'gi');
      close.lastIndex = pos;
      const c = close.exec(html);
      pos = c ? c.index + c[0].length : html.length;
      re.lastIndex = pos;
      continue;
    }
    out.push(BLOCK_TAGS.has(name) ? '\n' : ' ');
    if (name === 'a') {
      closeAnchor();
      if (!closing) {
        const href = /href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attrs);
        if (href) anchor = { href: decodeEntities((href[1] ?? href[2] ?? href[3] ?? '').trim()), text: '' };
      }
    } else if (!closing && name === 'img') facts.images++;
    else if (!closing && name === 'form') facts.forms++;
    else if (!closing && name === 'input' && /type\s*=\s*["']?password/i.test(attrs)) facts.passwordInputs++;
    if (HIDEABLE.has(name)) {
      const d = depth.get(name) ?? 0;
      if (closing) {
        const top = hiddenOpen[hiddenOpen.length - 1];
        if (top && top.name === name && top.depth === d) hiddenOpen.pop();
        depth.set(name, Math.max(0, d - 1));
      } else {
        depth.set(name, d + 1);
        const style = /style\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(attrs);
        if (style && HIDDEN_STYLE.test(style[1] ?? style[2] ?? '')) hiddenOpen.push({ name, depth: d + 1 });
      }
    }
  }
  emit(html.slice(pos));
  closeAnchor();
  facts.text = out.join('').replace(/[ \t\r\f\v\u00a0]+/g, ' ').replace(/\n\s*/g, '\n').trim();
  return facts;
}
