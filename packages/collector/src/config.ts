import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Origin = z
  .string()
  .regex(
    /^https?:\/\/[^/\s]+$/,
    'must be an origin like https://shop.example (scheme, host, optional port; no path or trailing slash)',
  );

export const SiteConfig = z.object({
  /** Shown in logs and answers; the write key is the secret. */
  name: z.string().min(1),
  /** Sent by browsers in the body and by server clients as the HTTP Basic user name. */
  writeKey: z.string().min(8, 'must be at least 8 characters'),
  /** Origins whose pages may send with this key (CORS allowlist). Server-side clients send no Origin. */
  origins: z.array(Origin).default([]),
});

export const CollectorConfig = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8787),
  /** Where the SQLite database lives. */
  dataDir: z.string().min(1).default('./data'),
  sites: z.array(SiteConfig).min(1, 'configure at least one site with a write key'),
  /** The client IP is never stored whole: dropped, or truncated to /24 (IPv4) and /48 (IPv6). */
  clientIp: z.enum(['drop', 'truncate']).default('truncate'),
  /** Read the client IP from X-Forwarded-For (only behind a proxy you run). */
  trustProxy: z.boolean().default(false),
  /**
   * `full` fsyncs every group commit, so an answered event survives power loss; `normal` survives
   * a process crash (kill -9) but may lose the last commits on power loss, and ingests faster.
   */
  durability: z.enum(['full', 'normal']).default('full'),
});

export type SiteConfig = z.infer<typeof SiteConfig>;
export type CollectorConfig = z.infer<typeof CollectorConfig>;
export type CollectorConfigInput = z.input<typeof CollectorConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates a config object; the error names every wrong field. */
export function parseConfig(input: unknown): CollectorConfig {
  const result = CollectorConfig.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`[tillit-collector] invalid configuration:\n${lines.join('\n')}`);
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Reads the config file named by `--config` or TILLIT_CONFIG (JSON), then lets environment variables
 * override single fields: TILLIT_HOST, TILLIT_PORT, TILLIT_DATA_DIR, TILLIT_CLIENT_IP, TILLIT_DURABILITY,
 * and TILLIT_WRITE_KEY + TILLIT_ORIGINS (comma list) for a one-site setup.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, file = env.TILLIT_CONFIG): CollectorConfig {
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`[tillit-collector] cannot read the config file ${file}: ${(error as Error).message}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`[tillit-collector] the config file ${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (env.TILLIT_HOST) raw.host = env.TILLIT_HOST;
  if (env.TILLIT_PORT) raw.port = env.TILLIT_PORT;
  if (env.TILLIT_DATA_DIR) raw.dataDir = env.TILLIT_DATA_DIR;
  if (env.TILLIT_CLIENT_IP) raw.clientIp = env.TILLIT_CLIENT_IP;
  if (env.TILLIT_DURABILITY) raw.durability = env.TILLIT_DURABILITY;
  if (env.TILLIT_WRITE_KEY) {
    raw.sites = [
      { name: env.TILLIT_SITE_NAME ?? 'default', writeKey: env.TILLIT_WRITE_KEY, origins: list(env.TILLIT_ORIGINS ?? '') },
    ];
  }
  return parseConfig(raw);
}
