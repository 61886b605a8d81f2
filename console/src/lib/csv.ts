// CSV in and out, RFC 4180: quoted fields, doubled quotes, CRLF or LF line
// ends. Pure functions (no DOM) so the node tests exercise them directly.

/** Parses CSV text into rows of fields. A trailing empty line is dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // Excel's byte-order mark
  while (i < src.length) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i += 1; continue;
      }
      field += c; i += 1; continue;
    }
    if (c === '"' && field === '') { quoted = true; i += 1; continue; }
    if (c === ',') { row.push(field); field = ''; i += 1; continue; }
    if (c === '\r' || c === '\n') {
      row.push(field); rows.push(row); row = []; field = '';
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += c; i += 1;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

export interface ImportRow {
  /** 1-based line of the file, for the per-row report. */
  line: number;
  username: string;
  password?: string;
}

export interface ImportPlan {
  rows: ImportRow[];
  /** Lines that cannot be imported, with the reason, before anything is sent. */
  problems: { line: number; message: string }[];
}

/**
 * Reads a mailbox-user import file: one user per line, `username[,password]`,
 * with an optional header line naming the columns. Blank lines are skipped;
 * duplicates and malformed addresses are reported, not sent.
 */
export function planUserImport(text: string, maxRows = 1000): ImportPlan {
  const table = parseCsv(text);
  const rows: ImportRow[] = [];
  const problems: ImportPlan['problems'] = [];
  const seen = new Set<string>();
  table.forEach((cells, index) => {
    const line = index + 1;
    const username = (cells[0] ?? '').trim();
    const password = (cells[1] ?? '').trim();
    if (cells.every((c) => c.trim() === '')) return;
    if (index === 0 && username.toLowerCase() === 'username') return; // header
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(username)) {
      problems.push({ line, message: `"${username}" is not an email address` });
      return;
    }
    const key = username.toLowerCase();
    if (seen.has(key)) { problems.push({ line, message: `${username} appears more than once` }); return; }
    if (cells.length > 2 && cells.slice(2).some((c) => c.trim() !== '')) {
      problems.push({ line, message: 'expected at most two columns: username, password' });
      return;
    }
    if (rows.length >= maxRows) { problems.push({ line, message: `more than ${maxRows} rows; split the file` }); return; }
    seen.add(key);
    rows.push(password ? { line, username, password } : { line, username });
  });
  return { rows, problems };
}

function csvField(value: unknown): string {
  const s = value === undefined || value === null ? '' : String(value);
  // A leading = + - @ makes spreadsheets evaluate the cell: prefix a quote so it stays text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Builds CSV text (CRLF line ends) from a header and rows. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
