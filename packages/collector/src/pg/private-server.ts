/**
 * A private PostgreSQL 15 for fault tests (initdb in a temp dir, a free port): the shared server on
 * 5432 serves other tests at the same time and must never be restarted or stopped.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const BIN = '/usr/lib/postgresql/15/bin';
/** Whether this machine can make a private server (tests skip with this reason when not). */
export const privatePostgresMissing = existsSync(join(BIN, 'initdb')) ? undefined : `no ${join(BIN, 'initdb')}`;
// PostgreSQL refuses to run as root: as root, its tools run as the postgres user.
const asRoot = process.getuid?.() === 0;

const command = (tool: string, args: string[]): [string, string[]] =>
  asRoot ? ['runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]] : [join(BIN, tool), args];
const pgTool = (tool: string, args: string[]) => execFileSync(...command(tool, args), { stdio: 'pipe', timeout: 60_000 });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication). */
  url: string;
  /** `pg_ctl -m fast restart`, without blocking the event loop (load keeps running meanwhile). */
  restart(): Promise<void>;
  /** `pg_ctl -m fast stop`: connections refused until `start()`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): void;
}

/** Makes and starts a private server; throws if `privatePostgresMissing`. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'tillit-private-pg-'));
  if (asRoot) {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' })));
    chownSync(dir, uid!, gid!);
  }
  pgTool('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  // Always with a log file: a server started without one keeps pg_ctl's output pipe open.
  const ctlArgs = (args: string[]) => ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-t', '60', ...args];
  const ctl = async (...args: string[]) => {
    await promisify(execFile)(...command('pg_ctl', ctlArgs(args)), { timeout: 60_000 });
  };
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  await ctl('-o', options, 'start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => ctl('-m', 'fast', 'restart'),
    stop: () => ctl('-m', 'fast', 'stop'),
    start: () => ctl('-o', options, 'start'),
    destroy: () => {
      try {
        pgTool('pg_ctl', ctlArgs(['-m', 'immediate', 'stop']));
      } catch {
        // Already stopped.
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
