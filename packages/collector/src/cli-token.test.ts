import { expect, it } from 'vitest';
import { verifyToken } from './auth.js';
import { tokenCommand } from './cli-token.js';

const KEY = 'k'.repeat(40);
const env = { TILLIT_WRITE_KEY: 'write-key-1', TILLIT_TOKEN_KEYS: KEY };

it('prints a token for the user, signed with the site’s token key, expiring in the minutes asked', () => {
  const token = tokenCommand(['--user', 'user-42', '--minutes', '5'], env);
  const verified = verifyToken(token, [KEY]);
  expect(verified?.claims.sub).toBe('user-42');
  expect(verified!.claims.exp * 1000 - Date.now()).toBeGreaterThan(4 * 60_000);
  expect(verified!.claims.exp * 1000 - Date.now()).toBeLessThanOrEqual(5 * 60_000);
  expect(verifyToken(token, ['o'.repeat(40)])).toBeNull();
});

it('says what is missing: the user, the key, a sane lifetime', () => {
  expect(() => tokenCommand([], env)).toThrow(/--user ID/);
  expect(() => tokenCommand(['--user', 'u'], { TILLIT_WRITE_KEY: 'write-key-1' })).toThrow(/no tokenKeys/);
  expect(() => tokenCommand(['--user', 'u', '--minutes', '90'], env)).toThrow(/between 1 and 60/);
});
