/**
 * Readiness needs the migrations applied: a database restored from an old backup, or migrated back,
 * under a running collector would fail on the first statement that needs a newer table or column.
 */
export function assertSchemaCurrent(found: number | null, needed: number): void {
  if ((found ?? 0) < needed)
    throw new Error(
      `migrations not applied: the schema is at version ${found ?? 0}, this collector needs ${needed} (run tillit-collector migrate)`,
    );
}
