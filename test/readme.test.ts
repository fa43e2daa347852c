/**
 * The README smoke test: the commands README.md shows, run as a newcomer types them at the root of a
 * clone: `npm run build`, `npx tillit-collector --help`, the collector with the README's config
 * example, the token command, `npm start` answering on every URL it prints, and the sqlite3 query.
 * Ports are free ones and data goes to a temp directory, so it runs beside anything else.
 * Slow (it builds twice, once in `npm start`); it runs after the other vitest projects because it
 * rewrites packages/*\/dist, which they read (vitest.config.ts, sequence.groupOrder).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installIsStale } from '../scripts/setup.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'tillit-readme-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// With a stale install npm start would run npm ci, for minutes, and a test stopped part-way through it
// would leave node_modules broken: this suite wants the install done first (npm test does it).
beforeAll(() => {
  if (installIsStale()) throw new Error('node_modules is older than package-lock.json: run `npm ci` (or `npm test`) first');
});

/** Every command the README shows: lines of its sh blocks and inline `npm …`, `npx …`, `sqlite3 …`. */
function readmeCommands(): string[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n'));
  const inline = [...readme.matchAll(/`((?:npm|npx|sqlite3) [^`]+)`/g)].map((m) => m[1]!);
  return [...new Set([...blocks, ...inline].map((line) => line.replace(/#.*/, '').trim()).filter(Boolean))];
}

/** The README's collector config example: the json block after the collector command. */
function readmeConfig(): Record<string, any> {
  const section = readme.slice(readme.indexOf('npx tillit-collector --config tillit.json'));
  return JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]!);
}

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: 420_000, // a safety net only: a build takes 110 s at a load of 20 on 2 cores
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a long-running command in its own process group (so a signal reaches all of it, as Ctrl-C does). */
function start(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, detached: true });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  // 'close' comes once every process holding its output has exited: npm or npx and what they started.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    output: () => output,
    /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
    waitFor(pattern: RegExp): Promise<RegExpExecArray> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            child.stdout!.off('data', check);
            resolve(match);
          }
        };
        child.stdout!.on('data', check);
        check();
        closed.then(({ code }) => reject(new Error(`exited (${code}) before printing ${pattern}:\n${output}`)));
      });
    },
    /**
     * Sends `signal` to the whole group and resolves when all of it has exited, with npm's exit: on a
     * signal npm ends by that signal, so the code of the process it ran is not visible here.
     */
    stop(signal: NodeJS.Signals) {
      try {
        process.kill(-child.pid!, signal);
      } catch {} // the group is gone already
      return closed;
    },
  };
}
type Started = ReturnType<typeof start>;

function event() {
  const id = randomUUID();
  return {
    type: 'track',
    event: 'Order Completed',
    messageId: randomUUID(),
    anonymousId: id,
    timestamp: new Date().toISOString(),
  };
}

/** Posts one event as a page on `origin` does (text/plain, write key in the body). */
async function postBatch(collectorUrl: string, origin: string, writeKey: string, batch = [event()]) {
  const response = await fetch(`${collectorUrl}/v1/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', Origin: origin },
    body: JSON.stringify({ writeKey, batch, sentAt: new Date().toISOString() }),
  });
  return { status: response.status, body: await response.json() };
}

const EXPORT_TESTED =
  'GET /v1/export and the export command are tested against real stores in packages/collector/src/routes/export.test.ts and cli-export.test.ts';

it('every command the README shows is run here, or says why not', () => {
  const notRun: Record<string, string> = {
    'npm test': 'this suite is part of it',
    'npm test -- <filter>': 'this suite is part of it',
    'npm install @tillit/sdk': "run in a site's own project, not in this repository",
    'npm run bench': 'benchmarks take minutes; bench/run.mjs is run by `npm run bench` itself',
    'npm run bench -- --insights': 'the insights section alone (bench/insights.mjs) takes minutes over 1,000,000 events',
    'npm run screenshots':
      'rewrites docs/screenshots; its test/screenshots/dashboard.shots.ts drives the seeded dashboard as the e2e tests do',
    "export TILLIT_DATABASE_URL='postgres://tillit:secret@db.internal:5432/tillit?sslmode=verify-full&sslrootcert=/etc/tillit/ca.pem'":
      'an example of a managed database; migrate on PostgreSQL is tested in packages/collector/src/cli-migrate.test.ts',
    'export TILLIT_SERVER_KEY="$(openssl rand -base64 32)"': 'sets a shell variable; the server key is tested in the collector',
    'curl -H "Authorization: Bearer $TILLIT_OPERATOR_TOKEN" "https://collector.example/v1/export" > events.ndjson': EXPORT_TESTED,
    'curl -OJ -H "Authorization: Bearer $TILLIT_OPERATOR_TOKEN" "https://collector.example/v1/export?site=shop&type=track&from=2026-10-01&to=2026-11-01&format=parquet"':
      EXPORT_TESTED,
    'npx tillit-collector export --config tillit.json --site shop --format parquet --limit 500000 --out part-1.parquet':
      EXPORT_TESTED,
    'npx tillit-collector export --config tillit.json --site shop --format parquet --cursor eyJrIjoi… --out part-2.parquet':
      EXPORT_TESTED,
  };
  const runHere = [
    'npm start',
    'npm run build',
    'npx tillit-collector --config tillit.json',
    'npx tillit-collector migrate',
    'npx tillit-collector token --user 42 --minutes 10 --config tillit.json',
    "sqlite3 data/tillit.db 'select type, event, anonymous_id from events'",
  ];
  expect(readmeCommands().sort()).toEqual([...runHere, ...Object.keys(notRun)].sort());
});

it('npm run build writes the bundles the README names', () => {
  const before = Date.now() - 1000;
  const { status, output } = run('npm', ['run', 'build']);
  expect(status, output).toBe(0);
  for (const file of [
    'sdk/dist/tillit.js',
    'banner/dist/tillit-banner.js',
    'banner/dist/tillit-tags.js',
    'portal/dist/tillit-portal.js',
  ]) {
    expect(readme, `README names ${file}`).toContain(file.split('/').pop());
    expect(statSync(join(root, 'packages', file)).mtimeMs, file).toBeGreaterThan(before);
  }
}, 420_000);

it('npx tillit-collector --help prints its usage (the bin is linked)', () => {
  const { status, stdout, output } = run('npx', ['--no', '--', 'tillit-collector', '--help']);
  expect(status, output).toBe(0);
  expect(stdout).toMatch(/^Usage: tillit-collector \[--config FILE\]/);
});

it('npx tillit-collector migrate brings the default SQLite store up to date and exits', () => {
  // A one-site setup from the environment, as the README documents; the data directory is a temp one.
  const env = {
    TILLIT_DATA_DIR: join(tmp, 'migrate-data'),
    TILLIT_WRITE_KEY: 'readme-migrate-key',
    TILLIT_ORIGINS: 'https://shop.example',
  };
  const { status, output } = run('npx', ['--no', '--', 'tillit-collector', 'migrate'], { env });
  expect(status, output).toBe(0);
  expect(output).toMatch(/SQLite .*tillit\.db: schema at version \d+/);
});

describe("the collector with the README's config example", () => {
  const config = readmeConfig();
  const site = config.sites[0];
  const file = join(tmp, 'tillit.json');
  let collector: Started;
  let url: string;

  beforeAll(async () => {
    writeFileSync(file, JSON.stringify(config));
    // As documented, the environment overrides the file: a free port, a temp data directory.
    collector = start('npx', ['--no', '--', 'tillit-collector', '--config', file], {
      TILLIT_HOST: '127.0.0.1',
      TILLIT_PORT: '0',
      TILLIT_DATA_DIR: join(tmp, 'collector-data'),
    });
    url = (await collector.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  }, 60_000);
  afterAll(() => collector?.stop('SIGKILL'));

  it('answers, and takes events only from the configured origin with its write key', async () => {
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(await postBatch(url, site.origins[0], site.writeKey)).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect((await postBatch(url, 'https://other.example', site.writeKey)).status).toBe(403);
    expect((await postBatch(url, site.origins[0], 'not-the-key')).status).toBe(401);
  });

  it('stops on SIGTERM after closing the database', async () => {
    await collector.stop('SIGTERM');
    expect(collector.output()).toContain('SIGTERM: finishing requests in flight, then closing the database');
    expect(collector.output()).not.toMatch(/error/i);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(existsSync(join(tmp, 'collector-data/tillit.db'))).toBe(true);
  });

  it('prints a token for a logged-in user with the token command', () => {
    const key = 'k'.repeat(32);
    writeFileSync(file, JSON.stringify({ ...config, sites: [{ ...site, tokenKeys: [key] }] }));
    const { status, stdout, output } = run('npx', [
      '--no',
      '--',
      'tillit-collector',
      'token',
      '--user',
      '42',
      '--minutes',
      '10',
      '--config',
      file,
    ]);
    expect(status, output).toBe(0);
    const [payload, signature] = stdout.trim().split('.');
    expect(signature).toBe(createHmac('sha256', key).update(payload!).digest('base64url'));
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    expect(claims.sub).toBe('42');
    expect(claims.exp * 1000 - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(claims.exp * 1000 - Date.now()).toBeLessThanOrEqual(10 * 60_000);
  });
});

describe('npm start', () => {
  let app: Started;
  let urls: string[];

  beforeAll(async () => {
    const [collectorPort, demoPort] = [await freePort(), await freePort()];
    app = start('npm', ['start'], {
      TILLIT_PORT: String(collectorPort),
      DEMO_PORT: String(demoPort),
      TILLIT_DATA_DIR: join(tmp, 'data'),
    });
    const banner = (await app.waitFor(/Tillit is running\.[\s\S]*Press Ctrl-C to stop\./))[0];
    urls = [...new Set(banner.match(/http:\/\/[^\s)]+/g))];
  }, 600_000);
  afterAll(() => app?.stop('SIGKILL'));

  it('answers on every URL it prints: 200 for each page and the health check, any answer at the bare collector URL', async () => {
    expect(urls.length).toBeGreaterThanOrEqual(4);
    for (const url of urls) {
      const status = (await fetch(url)).status;
      const isBase = !url.endsWith('/') && new URL(url).pathname === '/';
      if (!isBase) expect(status, url).toBe(200);
    }
  });

  it("serves a demo shop whose script tag names the running collector, which takes the shop's events", async () => {
    const shop = urls.find((u) => u.endsWith('/') && !u.includes('privacy'))!;
    const html = await (await fetch(shop)).text();
    const collectorUrl = /data-collector="([^"]+)"/.exec(html)![1]!;
    const writeKey = /data-write-key="([^"]+)"/.exec(html)![1]!;
    expect(urls).toContain(collectorUrl);
    const result = await postBatch(collectorUrl, new URL(shop).origin, writeKey);
    expect(result).toMatchObject({ status: 200, body: { accepted: 1 } });
  });

  it("the README's sqlite3 query reads the demo's events", () => {
    const sqlite3 = run('sqlite3', ['-version']);
    if (sqlite3.status !== 0) return console.warn('[readme] no sqlite3 command-line tool here: the query was not run');
    const { status, stdout, output } = run('sqlite3', ['data/tillit.db', 'select type, event, anonymous_id from events'], {
      cwd: tmp,
    });
    expect(status, output).toBe(0);
    expect(stdout).toMatch(/^track\|Order Completed\|[0-9a-f-]{36}$/m);
  });

  it('stops on Ctrl-C (SIGINT to its process group): every process exits, quietly, and its ports close', async () => {
    await app.stop('SIGINT');
    expect(app.output()).toContain('SIGINT: finishing requests in flight, then closing the database');
    expect(app.output()).not.toContain('a process stopped');
    for (const url of urls) await expect(fetch(url)).rejects.toThrow();
  });
});
