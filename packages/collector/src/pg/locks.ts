/**
 * Advisory lock keys. PostgreSQL's advisory locks are per database; several Tillit schemas may share one
 * database (tests do), so each key also names the schema.
 */
export const LOCK_CLASS = 0x7411;

export type LockName = 'migrate' | 'erasure' | 'retention';

/** A 32-bit key for (schema, name): FNV-1a, stable across processes and versions. */
export function lockKey(schema: string, name: LockName): number {
  let h = 0x811c9dc5;
  for (const ch of `${schema}\0${name}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
