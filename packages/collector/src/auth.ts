/**
 * Credentials of the data-subject API: subject secrets (only their SHA-256 is stored), HMAC tokens
 * (signed by a site's backend, or by the collector for its /privacy page) and keyed hashes of ids.
 * Every comparison is constant-time.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubjectKind } from '@tillit/schema';
import { makeDataDir } from './data-dir.js';

/** Longest lifetime a token may have: they stand in for a login, so they must be short-lived. */
export const MAX_TOKEN_MINUTES = 60;

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Constant-time equality of two strings of any lengths (both are hashed to 32 bytes first). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Compares sha256(secret) with each stored hex hash in constant time (all of them, so the time does not
 * depend on which matched); no hash still costs the work of one.
 */
export function secretMatches(secret: string, storedHashes: readonly string[]): boolean {
  const presented = createHash('sha256').update(secret).digest();
  let matched = false;
  // Against a hash no secret has, so that an unknown subject takes as long as a wrong secret.
  for (const storedHash of storedHashes.length ? storedHashes : [null]) {
    const stored = storedHash && /^[0-9a-f]{64}$/.test(storedHash) ? Buffer.from(storedHash, 'hex') : Buffer.alloc(32, 0xff);
    if (timingSafeEqual(presented, stored) && storedHash !== null) matched = true;
  }
  return matched;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const sign = (key: string, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

export interface TokenClaims {
  /** The subject: a site's user id (site tokens) or the id the portal token was issued for. */
  sub: string;
  /** Expiry, Unix seconds. */
  exp: number;
  /**
   * Issued at, Unix seconds: a token issued before the subject's erasure is dead. Without it (a token
   * from an older signer) it counts as issued MAX_TOKEN_MINUTES before it expires.
   */
  iat?: number;
  /** Portal tokens only: the site and the kind of id they were issued for. */
  site?: string;
  kind?: SubjectKind;
}

export interface MintTokenOptions {
  /** One of the site's `tokenKeys` in the collector's config. */
  key: string;
  /** The logged-in user's id, as the site sends it in `identify()`. */
  userId: string;
  /** Minutes until the token expires. @defaultValue 10 */
  minutes?: number;
  /** Clock, for tests. */
  now?: number;
}

/**
 * Signs a short-lived data-subject token for a logged-in user: `base64url(JSON claims).base64url(HMAC-SHA256)`.
 * A site's backend calls this (or reimplements these three lines) and hands the token to its page.
 *
 *   const token = mintToken({ key: process.env.TILLIT_TOKEN_KEY, userId: user.id, minutes: 10 });
 */
export function mintToken(options: MintTokenOptions): string {
  const minutes = options.minutes ?? 10;
  if (!options.key || options.key.length < 32) throw new Error('[tillit] mintToken: the key must be at least 32 characters');
  if (!options.userId) throw new Error('[tillit] mintToken: userId is required');
  if (!(minutes > 0 && minutes <= MAX_TOKEN_MINUTES)) {
    throw new Error(`[tillit] mintToken: minutes must be between 1 and ${MAX_TOKEN_MINUTES}, got ${minutes}`);
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  return signClaims(options.key, { sub: options.userId, exp: now + minutes * 60, iat: now });
}

/** When a token was issued (Unix seconds), as its claims say or as early as it can have been. */
export const issuedAt = (claims: TokenClaims): number =>
  typeof claims.iat === 'number' ? claims.iat : claims.exp - MAX_TOKEN_MINUTES * 60;

export function signClaims(key: string, claims: TokenClaims): string {
  const payload = b64url(JSON.stringify(claims));
  return `${payload}.${sign(key, payload)}`;
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{8,2048}\.[A-Za-z0-9_-]{43}$/;

/** Looks like a token (and not a subject secret, which has no dot). */
export const isTokenShaped = (credential: string): boolean => TOKEN_PATTERN.test(credential);

/**
 * Checks a token against each key in turn (all of them, so the time does not depend on which matched)
 * and returns the index of the key that signed it with its claims, or null when none did, it has
 * expired, or it lives longer than a token may.
 */
export function verifyToken(token: string, keys: string[], now = Date.now()): { keyIndex: number; claims: TokenClaims } | null {
  const dot = token.indexOf('.');
  const payload = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1));
  let keyIndex = -1;
  for (const [i, key] of keys.entries()) {
    const expected = Buffer.from(sign(key, payload));
    if (expected.length === mac.length && timingSafeEqual(expected, mac) && keyIndex === -1) keyIndex = i;
  }
  if (keyIndex === -1) return null;
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return null;
  }
  if (typeof claims?.sub !== 'string' || !claims.sub || typeof claims.exp !== 'number') return null;
  const secondsLeft = claims.exp - now / 1000;
  if (secondsLeft <= 0 || secondsLeft > MAX_TOKEN_MINUTES * 60 + 60) return null;
  return { keyIndex, claims };
}

/**
 * The collector's own secret key: HMAC key of the keyed hashes (audit log, suppression, pseudonymised
 * consent records) and of portal tokens. From config, or made once and kept in the data directory
 * (mode 0600): losing it makes old hashes unmatchable, so back it up with the database.
 */
export function loadServerKey(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = join(dataDir, 'tillit-secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  makeDataDir(dataDir);
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

/** Derives independent keys from the server key, so a portal token can never pass as a keyed hash or the reverse. */
export const deriveKey = (serverKey: string, purpose: string): string =>
  createHmac('sha256', serverKey).update(`tillit:${purpose}`).digest('base64url');

/** The keyed hash of a subject id: what the collector keeps after erasure. Not reversible by guessing ids without the key. */
export function keyedHasher(serverKey: string): (site: string, kind: SubjectKind, id: string) => string {
  const key = deriveKey(serverKey, 'subject-hash');
  return (site, kind, id) => createHmac('sha256', key).update(`${site}\0${kind}\0${id}`).digest('hex');
}
