import type { SubjectKind } from '@tillit/schema';
import type { AuditRow, ProcessingLimit } from '../store.js';
import { backoffMs } from './backoff.js';
import type { OutboxConfig } from './config.js';
import type { Delivery, Destination, ErasureRequest, OutboundEvent } from './destination.js';
import type { OutboxItem, OutboxStore, Settlement } from './outbox-store.js';

export interface WorkerDeps {
  outbox: OutboxStore;
  destinations: Destination[];
  config: OutboxConfig;
  /** Injectable so tests move time instead of sleeping. */
  now: () => number;
  random: () => number;
  listProcessingLimits(site: string): Promise<ProcessingLimit[]>;
  hashOf: (site: string, kind: SubjectKind, id: string) => string;
  appendAudit(row: AuditRow): Promise<void>;
  /** Told of each settled row (metrics). */
  settled(destination: string, kind: OutboxItem['kind'], state: Settlement['state']): void;
  /** A failure of the worker itself (the store), never an id. */
  failed(destination: string, error: unknown): void;
}

const LEASE_MARGIN_MS = 30_000;

/**
 * Delivers the outbox: per destination, `concurrency` lanes each claim a batch of due rows, send it and
 * settle it, off the request path, so a slow or dead recipient holds only its own lanes. Objection and
 * restriction are checked here, at send time, since they may come after the event was queued.
 */
export class OutboxWorker {
  private running = false;
  private lanes: Promise<void>[] = [];
  /** Aborted by stop(): requests in flight end at once (retried later) instead of holding the shutdown. */
  private stopping = new AbortController();
  private wakers = new Set<() => void>();

  constructor(private readonly deps: WorkerDeps) {}

  /** Starts the lanes (a collector that listens does; tests with a fake clock call `runOnce` instead). */
  start(): void {
    if (this.running || this.deps.destinations.length === 0) return;
    this.running = true;
    for (const destination of this.deps.destinations) {
      for (let i = 0; i < this.deps.config.concurrency; i++) this.lanes.push(this.lane(destination));
    }
  }

  /** Stops claiming; resolves when the batches in flight are settled. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.nudge();
    await Promise.all(this.lanes.splice(0));
    this.stopping = new AbortController();
  }

  /** A request's signal: its timeout, or the worker stopping. */
  private signal(): AbortSignal {
    return AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.deps.config.timeoutSeconds * 1000)]);
  }

  /** Wakes idle lanes (new rows were queued). */
  nudge(): void {
    for (const wake of this.wakers) wake();
  }

  /** One batch per destination, now; the number of rows settled. */
  async runOnce(): Promise<number> {
    const counts = await Promise.all(this.deps.destinations.map((d) => this.step(d)));
    return counts.reduce((a, b) => a + b, 0);
  }

  private async lane(destination: Destination): Promise<void> {
    while (this.running) {
      let settled = 0;
      try {
        settled = await this.step(destination);
      } catch (error) {
        this.deps.failed(destination.config.name, error);
      }
      if (settled === 0 && this.running) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.deps.config.pollSeconds * 1000);
      timer.unref();
      this.wakers.add(wake);
    });
  }

  /** Claims a batch of one destination, sends it, settles every row; the number of rows. */
  async step(destination: Destination): Promise<number> {
    const { outbox, config, now } = this.deps;
    const name = destination.config.name;
    const timeoutMs = config.timeoutSeconds * 1000;
    const items = await outbox.claim(name, now(), config.batchSize, timeoutMs + LEASE_MARGIN_MS);
    if (items.length === 0) return 0;
    const settlements: Settlement[] = [];
    const withheld = await this.withholdTest(destination.site);
    const events: OutboxItem[] = [];
    for (const item of items) {
      const reason = item.kind === 'event' && item.payload !== null ? withheld(item) : null;
      if (item.kind === 'erasure') settlements.push(await this.propagate(destination, item));
      else if (item.payload === null) settlements.push({ id: item.id, state: 'gone' });
      else if (reason) settlements.push({ id: item.id, state: 'withheld', at: now(), error: reason });
      else events.push(item);
    }
    if (events.length > 0) {
      const delivery = await destination.send(events.map(outbound), this.signal());
      for (const item of events) settlements.push(this.outcome(item, delivery));
    }
    await outbox.settle(settlements);
    const kinds = new Map(items.map((i) => [i.id, i.kind]));
    for (const s of settlements) this.deps.settled(name, kinds.get(s.id)!, s.state);
    return items.length;
  }

  /** Sent, retried later (backoff, Retry-After) or dead (permanent, or failing past deadLetterHours). */
  private outcome(item: OutboxItem, delivery: Delivery): Settlement {
    const { config, now, random } = this.deps;
    const at = now();
    if (delivery.ok)
      return {
        id: item.id,
        state: delivery.manual ? 'manual' : 'sent',
        at,
        ...(delivery.manual ? { error: delivery.manual } : {}),
      };
    const expired = at - item.queuedAt >= config.deadLetterHours * 3_600_000;
    if (delivery.permanent || expired) {
      const why = delivery.permanent ? 'refused' : `still failing after ${config.deadLetterHours} h`;
      return { id: item.id, state: 'dead', at, error: `${why}: ${delivery.reason}` };
    }
    const nextAttemptAt = at + backoffMs(item.attempts, config, random, delivery.retryAfterMs);
    return { id: item.id, state: 'pending', nextAttemptAt, error: delivery.reason };
  }

  /** Sends a deletion request (Art. 17(2)) and records its outcome in the audit log once it is final. */
  private async propagate(destination: Destination, item: OutboxItem): Promise<Settlement> {
    const request = JSON.parse(item.body ?? '{}') as ErasureRequest;
    const delivery = await destination.erase(request, this.signal());
    const settlement = this.outcome(item, delivery);
    if (settlement.state !== 'pending') {
      const { site, userId, anonymousIds } = request;
      const subjectHash = userId
        ? this.deps.hashOf(site, 'user', userId)
        : this.deps.hashOf(site, 'anonymous', anonymousIds[0] ?? '');
      const outcome = settlement.state === 'sent' ? 'delivered' : settlement.state === 'manual' ? 'manual_step' : 'failed';
      await this.deps.appendAudit({
        at: this.deps.now(),
        site,
        action: `erasure_propagation.${destination.config.name}`,
        subjectHash,
        via: 'outbox',
        outcome,
        receiptId: request.messageId,
      });
    }
    return settlement;
  }

  /** Why an event may not be forwarded now (Art. 18 restriction, Art. 21 objection), or null. */
  private async withholdTest(site: string): Promise<(item: OutboxItem) => string | null> {
    const limits = await this.deps.listProcessingLimits(site);
    if (limits.length === 0) return () => null;
    const rights = new Map(limits.map((l) => [l.subjectHash, l.right]));
    const { hashOf } = this.deps;
    return (item) => {
      const right =
        (item.userId && rights.get(hashOf(site, 'user', item.userId))) ||
        (item.anonymousId && rights.get(hashOf(site, 'anonymous', item.anonymousId)));
      if (!right) return null;
      return right === 'restriction' ? 'restriction of processing (Art. 18)' : 'objection (Art. 21)';
    };
  }
}

function outbound(item: OutboxItem): OutboundEvent {
  return { messageId: item.messageId, anonymousId: item.anonymousId, userId: item.userId, payload: JSON.parse(item.payload!) };
}
