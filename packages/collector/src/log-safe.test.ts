import { expect, it } from 'vitest';
import { redact } from './log-safe.js';

it('keeps what failed and drops the values a driver quotes', () => {
  expect(redact('invalid input syntax for type json: "anon-42 <ada@example.org>"')).toBe(
    'invalid input syntax for type json: "…"',
  );
  expect(redact('duplicate key value violates unique constraint "event_ids_pkey" Key (message_id)=(m-1) already exists')).toBe(
    'duplicate key value violates unique constraint "…" Key (message_id)=(…) already exists',
  );
  expect(redact('SQLITE_FULL: database or disk is full')).toBe('SQLITE_FULL: database or disk is full');
  expect(redact('connect ECONNREFUSED 10.1.2.3:5432')).toBe('connect ECONNREFUSED [ip]:5432');
});

it('drops unquoted e-mail addresses, addresses, UUIDs and tokens', () => {
  expect(redact('no row for ada@example.org from 2001:db8::7 id 0190a1b2-0000-7000-8000-000000000001')).toBe(
    'no row for [e-mail] from [ip] id [id]',
  );
  expect(redact('from ::1 at 16:47:02')).toBe('from [ip] at 16:47:02');
  expect(redact(`secret ${'k'.repeat(43)} refused`)).toBe('secret [token] refused');
  expect(redact('word '.repeat(1000))).toHaveLength(301);
});
