/** Every distinct (kind, id) of one site, `site` being the dialect's placeholder for it (SQLite and PostgreSQL). */
export function subjectIdsSql(site: string): string {
  const anon = (table: string) =>
    `SELECT 'anonymous' AS kind, anonymous_id AS id FROM ${table} WHERE site = ${site} AND anonymous_id IS NOT NULL`;
  const user = (table: string) =>
    `SELECT 'user' AS kind, user_id AS id FROM ${table} WHERE site = ${site} AND user_id IS NOT NULL`;
  return [
    anon('events'),
    anon('subjects'),
    anon('subject_secrets'),
    anon('consent_records'),
    anon('identity_links'),
    user('events'),
    user('consent_records'),
    user('identity_links'),
  ].join('\nUNION ');
}
