import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { EventRow } from './store.js';

/**
 * The one place that writes event rows to SQLite. The rows travel as one flat array (cheap to post to
 * the writer thread), and one function commits them, on the writer thread or on the calling thread.
 */

export const INSERT_EVENT = `INSERT OR IGNORE INTO events (message_id, site, type, event, anonymous_id, user_id, timestamp, received_at, payload)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
/** A link stays proven once it was proven (the last value: 1 proven, 0 claimed). */
export const UPSERT_LINK = `INSERT INTO identity_links (site, anonymous_id, user_id, first_seen_at, last_seen_at, proven)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (site, anonymous_id, user_id) DO UPDATE SET last_seen_at = max(last_seen_at, excluded.last_seen_at),
  proven = max(proven, excluded.proven)`;

/** Queues a newly stored event for one destination (outbox, destinations/sqlite-outbox.ts); due at once. */
export const ENQUEUE_EVENT = `INSERT OR IGNORE INTO outbox (destination, kind, message_id, site, queued_at, next_attempt_at)
  VALUES (?, 'event', ?, ?, ?, 0)`;

/**
 * The fields of a row: INSERT_EVENT's placeholders in order, then whether an identify's link is proven and
 * the destinations it is queued for (JSON array or null).
 */
const EVENT_FIELDS = [
  'messageId',
  'site',
  'type',
  'event',
  'anonymousId',
  'userId',
  'timestamp',
  'receivedAt',
  'payload',
  'linkProven',
  'destinations',
] as const satisfies readonly (keyof EventRow)[];
export const ROW_WIDTH = EVENT_FIELDS.length;

/** The rows as one flat array, ROW_WIDTH values per row. */
export function flattenRows(rows: readonly EventRow[]): unknown[] {
  const values = new Array<unknown>(rows.length * ROW_WIDTH);
  let i = 0;
  for (const row of rows) {
    for (const field of EVENT_FIELDS) values[i++] = row[field];
    values[i - 2] = row.linkProven ? 1 : 0;
    values[i - 1] = row.destinations ? JSON.stringify(row.destinations) : null;
  }
  return values;
}

interface RunStatement {
  run(...params: unknown[]): { changes: number };
}

/**
 * Inserts flattened rows (call it inside a transaction) and answers one flag per row: 1 inserted,
 * 0 duplicate. A new row is queued in the outbox for its destinations in the same transaction, so
 * nothing is forwarded that was not stored, and a duplicate is not queued twice. Self-contained (no
 * imports, no outer names): the writer thread runs its source text.
 */
export function commitEventValues(
  values: unknown[],
  width: number,
  insert: RunStatement,
  link: RunStatement,
  enqueue: RunStatement,
): Uint8Array {
  const flags = new Uint8Array(values.length / width);
  // Positional, in EVENT_FIELDS' order: no slice or spread per row (a third of the writer's time in its profile).
  for (let i = 0, r = 0; i < values.length; i += width, r++) {
    const messageId = values[i];
    const site = values[i + 1];
    const type = values[i + 2];
    const anonymousId = values[i + 4];
    const userId = values[i + 5];
    const receivedAt = values[i + 7];
    const inserted = insert.run(
      messageId,
      site,
      type,
      values[i + 3],
      anonymousId,
      userId,
      values[i + 6],
      receivedAt,
      values[i + 8],
    );
    if (inserted.changes !== 1) continue;
    flags[r] = 1;
    // identify is what links a browser to a user; only new rows, so a retry costs nothing more.
    if (type === 'identify' && anonymousId && userId) link.run(site, anonymousId, userId, receivedAt, receivedAt, values[i + 9]);
    const destinations = values[i + 10];
    if (destinations) for (const name of JSON.parse(destinations as string)) enqueue.run(name, messageId, site, receivedAt);
  }
  return flags;
}

/**
 * The writer thread: commits each group it is posted in one transaction on its own connection and
 * answers with the flags. Plain JavaScript in a string (with commitEventValues' own source), so that
 * it runs the same from the sources (tests) and from the bundle.
 */
const WRITER_SOURCE = `
const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const commitEventValues = ${commitEventValues.toString()};
const db = new Database(workerData.path);
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = 5000');
// As on the main connection: without it, the B-tree rebalancing of inserts leaves old copies of rows
// in the pages' free space, where an erasure's overwrite does not reach them.
db.pragma('secure_delete = FAST');
const insert = db.prepare(workerData.insertEvent);
const link = db.prepare(workerData.upsertLink);
const enqueue = db.prepare(workerData.enqueueEvent);
const rowsOf = (groups) => groups.reduce((n, values) => n + values.length / workerData.width, 0);
/** Commits groups in one transaction: one flag per row of all of them, in order. */
const commit = db.transaction((groups) => {
  const flags = new Uint8Array(rowsOf(groups));
  let at = 0;
  for (const values of groups) {
    flags.set(commitEventValues(values, workerData.width, insert, link, enqueue), at);
    at += values.length / workerData.width;
  }
  return flags;
});
let checkpointTimer = null;
const scheduleCheckpoint = () => {
  // One checkpoint for the writes of 250 ms: one per erasure, at once, made erasures in a row wait
  // for each other's checkpoint.
  checkpointTimer ??= setTimeout(() => {
    checkpointTimer = null;
    if (db.open) db.pragma('wal_checkpoint(PASSIVE)');
  }, 250);
};
parentPort.on('message', (first) => {
  // Every group posted while the last transaction ran joins this one, taken off the port here.
  const groups = [];
  let closing = false;
  for (let message = first; ; ) {
    if (message === 'checkpoint') scheduleCheckpoint();
    else if (message === 'close') closing = true;
    else groups.push(message);
    const next = closing ? undefined : receiveMessageOnPort(parentPort);
    if (!next) break;
    message = next.message;
  }
  if (groups.length > 0) {
    try {
      const flags = commit(groups);
      parentPort.postMessage(flags, [flags.buffer]);
    } catch (error) {
      parentPort.postMessage({ error: String(error && error.message), rows: rowsOf(groups) });
    }
  }
  if (closing) {
    clearTimeout(checkpointTimer);
    db.close();
    parentPort.close();
  }
});
`;

export interface WriterEvents {
  /** The flags of the `rows` the oldest posted groups hold, committed in one transaction, or why it failed. */
  answered(answer: Uint8Array | Error, rows: number): void;
  /** The thread stopped (crash, terminate): nothing more will be answered. */
  lost(error: Error): void;
}

/** A worker thread with its own connection to `path`, committing the groups posted to it in order. */
export class WriterThread {
  private readonly worker: Worker;
  private closing = false;
  /** Rows posted and not yet answered. */
  private rowsOut = 0;

  constructor(path: string, synchronous: 'FULL' | 'NORMAL', events: WriterEvents) {
    this.worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        path,
        synchronous,
        width: ROW_WIDTH,
        insertEvent: INSERT_EVENT,
        upsertLink: UPSERT_LINK,
        enqueueEvent: ENQUEUE_EVENT,
      },
    });
    // Kept alive only while it holds a group: an idle store does not keep the process running.
    this.worker.unref();
    this.worker.on('message', (answer: Uint8Array | { error: string; rows: number }) => {
      const rows = answer instanceof Uint8Array ? answer.length : answer.rows;
      this.rowsOut -= rows;
      if (this.rowsOut === 0) this.worker.unref();
      events.answered(answer instanceof Uint8Array ? answer : new Error(answer.error), rows);
    });
    const lost = (error: Error) => {
      if (!this.closing) events.lost(error);
    };
    this.worker.on('error', lost);
    this.worker.on('exit', (code) => lost(new Error(`exit code ${code}`)));
  }

  post(rows: readonly EventRow[]): void {
    this.worker.ref();
    this.rowsOut += rows.length;
    this.worker.postMessage(flattenRows(rows));
  }

  /**
   * Copies the WAL into the database file on this thread within 250 ms, off the caller's: the main
   * connection's writes (erasure, consent) then never wait for SQLite's automatic checkpoint. PASSIVE:
   * it takes no lock that the main connection's writes wait for. No answer.
   */
  checkpoint(): void {
    this.worker.postMessage('checkpoint');
  }

  /** Closes its connection and ends the thread; call when no group is out. */
  async close(): Promise<void> {
    this.closing = true;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    // Held until it has closed its connection (an unreferenced worker lets the process end first).
    this.worker.ref();
    this.worker.postMessage('close');
    await exited;
  }

  /** Ends the thread at once, as a crash would (tests). */
  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
