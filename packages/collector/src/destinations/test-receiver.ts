/**
 * For the destination tests: a real HTTP receiver on 127.0.0.1 that records every request, answers as the
 * test says (status, headers, or hold the request until released), checks webhook signatures the way the
 * README tells receivers to (its own code, not the collector's) and dedupes events by messageId.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  raw: string;
  /** The webhook signature was right and fresh (README's check), when a secret was given. */
  signed: boolean;
}

export type Answer = { status: number; headers?: Record<string, string> } | 'hold';

export interface Receiver {
  url: string;
  requests: Received[];
  /** Distinct messageIds of the events received, whatever was answered (the receiver's dedup). */
  unique: Set<string>;
  /** Every messageId received, repeats included. */
  seen: string[];
  /** How the next requests are answered (default 200). */
  answer: (req: Received) => Answer;
  /** Requests held now (answer 'hold'). */
  held(): number;
  /** Answers every held request with `status`. */
  release(status?: number): void;
  /** Resolves once `test` holds for what was received (checked after each request). */
  until(test: (r: Receiver) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** README's signature check, written out as a receiver would. */
export function verify(secret: string, raw: string, header: string | undefined): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((kv) => kv.split('=')));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startReceiver(secret?: string): Promise<Receiver> {
  const waiters: { test: (r: Receiver) => boolean; resolve: () => void }[] = [];
  const holding: (() => void)[] = [];
  let pendingStatus = 200;
  const check = () => {
    for (const w of [...waiters]) {
      if (w.test(receiver)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? JSON.parse(raw) : null;
    const signed = secret ? verify(secret, raw, req.headers['tillit-signature'] as string | undefined) : false;
    const received: Received = { path: req.url ?? '/', headers: req.headers, body, raw, signed };
    receiver.requests.push(received);
    const ids: string[] = [
      ...(body?.events ?? []).map((e: any) => e.messageId ?? e.params?.tillit_message_id),
      ...(body?.type === 'subject.erased' ? [body.messageId] : []),
    ].filter(Boolean);
    // Stored on arrival, whatever the answer: a receiver that stored and then failed to answer sees a retry.
    receiver.seen.push(...ids);
    for (const id of ids) receiver.unique.add(id);
    const answer = receiver.answer(received);
    const respond = (status: number, headers: Record<string, string> = {}) => {
      res.writeHead(status, headers).end();
      check();
    };
    if (answer === 'hold') {
      holding.push(() => respond(pendingStatus));
      check();
    } else respond(answer.status, answer.headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    unique: new Set(),
    seen: [],
    answer: () => ({ status: 200 }),
    held: () => holding.length,
    release(status = 200) {
      pendingStatus = status;
      for (const respond of holding.splice(0)) respond();
    },
    until(test) {
      if (test(receiver)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        receiver.release(503);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
