/** `?format=csv` of each analysis: its main table, one row per line (RFC 4180, see csv.ts). */
import type { Analysis } from './insights-params.js';
import { toCsv } from './csv.js';

type Row = Record<string, unknown>;
const rows = (value: unknown): Row[] => (Array.isArray(value) ? (value as Row[]) : []);

function table(header: string[], list: Row[]): string {
  return toCsv(
    header,
    list.map((row) => header.map((key) => row[key])),
  );
}

const NPS_BREAKDOWNS = [
  ['channel', 'byChannel'],
  ['segment', 'bySegment'],
  ['period', 'overTime'],
] as const;

const TABLES: Record<Analysis, (result: Row) => string> = {
  attribution: (r) => table(['channel', 'conversions', 'revenue'], rows(r.channels)),
  journeys: (r) =>
    table(
      ['path', 'conversions', 'journeys', 'conversionRate', 'revenue'],
      rows(r.topPaths).map((p) => ({ ...p, path: (p.path as string[]).join(' > ') })),
    ),
  cltv: (r) =>
    table(
      ['person', 'frequency', 'recency', 'T', 'pAlive', 'expectedPurchases', 'expectedSpend', 'cltv', 'revenue'],
      rows(r.customers),
    ),
  segments: (r) =>
    table(['person', 'recency', 'frequency', 'monetary', 'r', 'f', 'm', 'segment', 'churnRisk'], rows(r.customers)),
  basket: (r) =>
    table(
      ['antecedent', 'consequent', 'support', 'confidence', 'lift', 'orders'],
      rows(r.rules).flatMap((p) => rows(p.rules)),
    ),
  cohorts: (r) =>
    table(
      ['cohort', 'size', 'period', 'active', 'retention', 'revenue'],
      rows(r.cohorts).flatMap((c) => rows(c.periods).map((p, period) => ({ cohort: c.cohort, size: c.size, period, ...p }))),
    ),
  nps: (r) =>
    table(
      ['breakdown', 'group', 'responses', 'promoters', 'passives', 'detractors', 'nps', 'low', 'high'],
      NPS_BREAKDOWNS.flatMap(([key, list]) =>
        rows(r[list]).map((g) => ({
          ...g,
          breakdown: key,
          group: g[key],
          low: (g.interval as number[])[0],
          high: (g.interval as number[])[1],
        })),
      ),
    ),
};

export function insightCsv(analysis: Analysis, result: Row): string {
  return TABLES[analysis](result);
}
