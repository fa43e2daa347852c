/**
 * CSV per RFC 4180 (CRLF line ends, every cell quoted when it holds a comma, quote or line break), with
 * formula neutralisation: a cell a spreadsheet would run as a formula (starting with = + - @, tab or CR)
 * gets a leading apostrophe, as OWASP's CSV-injection advice says.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
