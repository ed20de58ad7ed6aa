// A small RFC 4180 CSV reader used to preview an import before it is sent.
// The server does the real validation; this only counts rows and checks the header.

export const MEMBER_CSV_COLUMNS = ['firstName', 'lastName', 'email', 'phone', 'memberNumber'] as const;
export const MEMBER_CSV_REQUIRED = ['firstName', 'lastName', 'email'] as const;

/**
 * The separator the server will use: ';' when the first line has more semicolons
 * than commas (spreadsheets in many locales write ';'), else ','.
 */
export function detectDelimiter(text: string): ',' | ';' {
  const first = text.split('\n', 1)[0];
  const count = (ch: string) => first.split(ch).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

/** Splits CSV text into records of fields. Handles quotes, "" escapes, CRLF/LF, a BOM. */
export function parseCsv(text: string, delimiter: ',' | ';' = ','): string[][] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let inQuotes = false;
  let fieldStarted = false;

  const endField = () => {
    record.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };

  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (inQuotes) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c === '"' && !fieldStarted) {
      inQuotes = true;
      fieldStarted = true;
    } else if (c === delimiter) {
      endField();
    } else if (c === '\r') {
      if (src[i + 1] === '\n') i++;
      endRecord();
    } else if (c === '\n') {
      endRecord();
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (fieldStarted || field !== '' || record.length > 0) endRecord();
  // Drop blank lines (a record with one empty field).
  return records.filter((r) => !(r.length === 1 && r[0].trim() === ''));
}

export interface CsvPreview {
  /** Column names as canonical field names (firstName…) where recognised. */
  header: string[];
  delimiter: ',' | ';';
  /** Data rows (header excluded), as objects keyed by header name. */
  rows: Record<string, string>[];
  /** The row number the server reports for each data row (the header is row 1). */
  rowNumbers: number[];
  rowCount: number;
  /** Problems found before sending: missing columns, unknown columns, ragged rows. */
  problems: string[];
}

/** Parses a member import CSV for the preview table and row count. */
export function previewMemberCsv(text: string): CsvPreview {
  const delimiter = detectDelimiter(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const records = parseCsv(text, delimiter);
  if (records.length === 0) {
    return { header: [], delimiter, rows: [], rowNumbers: [], rowCount: 0, problems: ['The file is empty.'] };
  }
  // Like the server: header names in any order and case, underscores ignored.
  const canonical = new Map<string, string>(MEMBER_CSV_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const header = records[0].map((h) => {
    const t = h.trim();
    return canonical.get(t.toLowerCase().replace(/_/g, '')) ?? t;
  });
  const problems: string[] = [];
  const missing = MEMBER_CSV_REQUIRED.filter((c) => !header.includes(c));
  if (missing.length) problems.push(`Missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`);
  const known = new Set<string>(MEMBER_CSV_COLUMNS);
  const unknown = header.filter((h) => h && !known.has(h));
  if (unknown.length) problems.push(`Unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`);

  const dup = header.filter((h, i) => h && header.indexOf(h) !== i);
  if (dup.length) problems.push(`Column appears twice: ${[...new Set(dup)].join(', ')}.`);

  const rows = records.slice(1).map((r, idx) => {
    // Fewer cells are fine (the rest are empty); more cells are an error.
    if (r.length > header.length) {
      problems.push(`Row ${idx + 2} has ${r.length} cells but the header has ${header.length}.`);
    }
    const obj: Record<string, string> = {};
    header.forEach((h, i) => {
      obj[h] = (r[i] ?? '').trim();
    });
    return obj;
  });
  return { header, delimiter, rows, rowNumbers: rows.map((_, i) => i + 2), rowCount: rows.length, problems };
}
