/**
 * Runs an analysis of @tillit/insights on one site's stored events, for the operator API and the CLI.
 * Events are streamed from the Store twice (identities first, then the analysis), never loaded whole;
 * nothing is materialised, so an erasure leaves no derived result behind.
 */
import {
  attribution,
  basket,
  cltv,
  cohorts,
  consentReason,
  type EventSource,
  type InsightEvent,
  journeys,
  nps,
  segments,
  stitchIdentities,
} from '@tillit/insights';
import type { SubjectKind } from '@tillit/schema';
import type { Analysis, InsightParams } from './insights-params.js';
import type { EventQuery, Store } from './store.js';

export interface InsightDeps {
  store: Store;
  /** Purposes assumed for events without a consent snapshot (config `serverSidePurposes`). */
  serverSidePurposes: readonly string[];
  hashOf: (site: string, kind: SubjectKind, id: string) => string;
}

/** The default purpose of each analysis (principle 10): per-person results are profiling. */
export const PURPOSE_OF: Record<Analysis, string> = {
  attribution: 'analytics',
  journeys: 'analytics',
  basket: 'analytics',
  cohorts: 'analytics',
  nps: 'analytics',
  cltv: 'personalization',
  segments: 'personalization',
};

async function* storedEvents(store: Store, query: EventQuery): AsyncIterable<InsightEvent> {
  for await (const row of store.streamEvents(query)) {
    // The stored payload is the event as sent; its time is the collector's skew-corrected one.
    yield { ...(JSON.parse(row.payload) as InsightEvent), timestamp: row.timestamp };
  }
}

/** Tests of ids for objection and restriction: an id is in when its keyed hash (as user or as anonymous id) is. */
async function limitTests({ store, hashOf }: InsightDeps, site: string) {
  const limits = await store.listProcessingLimits(site);
  const hashes = new Map<string, [string, string]>();
  const test = (right: string) => {
    const listed = new Set(limits.filter((l) => l.right === right).map((l) => l.subjectHash));
    return (id: string) => {
      if (!listed.size) return false;
      let pair = hashes.get(id);
      if (!pair) {
        pair = [hashOf(site, 'user', id), hashOf(site, 'anonymous', id)];
        hashes.set(id, pair);
      }
      return listed.has(pair[0]) || listed.has(pair[1]);
    };
  };
  return { objected: test('objection'), restricted: test('restriction') };
}

/** One analysis over the site's events in [from, to), with identities stitched in a first pass. */
export async function runInsight(deps: InsightDeps, site: string, analysis: Analysis, params: InsightParams) {
  const query = {
    site,
    ...(params.from !== undefined ? { from: params.from } : {}),
    ...(params.to !== undefined ? { to: params.to } : {}),
  };
  const purpose = PURPOSE_OF[analysis];
  const events = (): EventSource => storedEvents(deps.store, query);
  const grants = (event: InsightEvent) => consentReason(event, purpose, deps.serverSidePurposes) === null;
  const identities = await stitchIdentities(events(), grants);
  const { objected, restricted } = await limitTests(deps, site);
  // Restriction (Art. 18) stops all processing but storage; objection (Art. 21) is to profiling, so per-person results only.
  const perPerson = purpose === 'personalization';
  const purposesWithoutSnapshot = deps.serverSidePurposes;
  const options = { ...params, purpose, identities, restricted, purposesWithoutSnapshot, ...(perPerson ? { objected } : {}) };
  const body = await analyse(analysis, events(), options);
  const window = {
    from: params.from === undefined ? null : iso(params.from),
    to: params.to === undefined ? null : iso(params.to),
  };
  return { analysis, site, ...window, ...body };
}

const iso = (ms: number) => new Date(ms).toISOString();

function analyse(analysis: Analysis, events: EventSource, options: InsightParams & { purpose: string }) {
  switch (analysis) {
    case 'attribution':
      return attribution(events, options);
    case 'journeys':
      return journeys(events, options);
    case 'cltv':
      return cltv(events, options).then(({ fit: _fit, ...rest }) => rest);
    case 'segments':
      return segments(events, options);
    case 'basket':
      return basket(events, options);
    case 'cohorts':
      return cohorts(events, options);
    case 'nps':
      return nps(events, { ...options, includeComments: true });
  }
}
