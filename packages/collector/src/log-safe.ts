/**
 * What may reach a log line from an error message: errors of the database drivers quote the values they
 * refused (`invalid input syntax for type json: "…"`, `Key (message_id)=(…)`), and those may be ids,
 * e-mail addresses or addresses. Quoted and bracketed values, and anything shaped like an e-mail, an IP
 * address, a UUID or a long token, are replaced; the rest (what failed, and where) stays readable.
 */
const PATTERNS: [RegExp, string][] = [
  [/"[^"]*"|'[^']*'|`[^`]*`/g, '"…"'],
  [/=\([^)]*\)/g, '=(…)'],
  [/[^\s@<>()"',;]+@[^\s@<>()"',;]+/g, '[e-mail]'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '[id]'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, '[ip]'],
  // IPv6: the full form, or a compressed one (with "::"); a time like 16:47:02 is neither.
  [
    /\b(?:[0-9a-f]{1,4}:){1,7}(?::[0-9a-f]{1,4}){1,7}\b|\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|(?<![\w:])::[0-9a-f]{1,4}\b/gi,
    '[ip]',
  ],
  [/\b[A-Za-z0-9_+/=-]{24,}\b/g, '[token]'],
];
const MAX_LENGTH = 300;

export function redact(message: string): string {
  let text = message.length > MAX_LENGTH * 4 ? message.slice(0, MAX_LENGTH * 4) : message;
  for (const [pattern, replacement] of PATTERNS) text = text.replace(pattern, replacement);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}
