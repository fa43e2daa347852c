import { hyp2f1, lnGamma, logAddExp } from '../math/special.js';
import { type Minimum, minimize } from '../math/nelder-mead.js';
import { atBounds, withinBounds } from './bounds.js';

/** BG/NBD parameters: purchase rate λ ~ Gamma(r, α); drop-out probability p ~ Beta(a, b). */
export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** frequency x, recency t_x and age T of one customer, and how many customers share them. */
export interface RfmTriple {
  frequency: number;
  recency: number;
  T: number;
  count?: number;
}

/**
 * ln L(r, α, a, b | x, t_x, T), Fader, Hardie & Lee (2005) eq. 6, written in logs with the two
 * terms combined by log-sum-exp so that it stays finite for large x and T:
 *   ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *   + ln[ (α+T)^−(r+x) + 1{x>0} · a/(b+x−1) · (α+t_x)^−(r+x) ]
 */
export function bgNbdLogLikelihood({ r, alpha, a, b }: BgNbdParams, { frequency: x, recency, T }: RfmTriple): number {
  const common =
    lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + lnGamma(a + b) + lnGamma(b + x) - lnGamma(b) - lnGamma(a + b + x);
  const alive = -(r + x) * Math.log(alpha + T);
  if (x === 0) return common + alive;
  const dropped = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + recency);
  return common + logAddExp(alive, dropped);
}

/** Customers with the same (x, t_x, T) folded into one row with a count: the CDNOW fit has few distinct rows. */
export function foldTriples(customers: Iterable<RfmTriple>): RfmTriple[] {
  const rows = new Map<string, RfmTriple>();
  let index = 0;
  for (const c of customers) {
    checkTriple(c, index++);
    const key = `${c.frequency}:${c.recency}:${c.T}`;
    const row = rows.get(key);
    if (row) row.count! += c.count ?? 1;
    else rows.set(key, { frequency: c.frequency, recency: c.recency, T: c.T, count: c.count ?? 1 });
  }
  return [...rows.values()];
}

/** Bad input is named, not fitted: a NaN would spread through every answer. */
function checkTriple({ frequency: x, recency, T }: RfmTriple, index: number): void {
  const bad = (field: string, value: number, rule: string) =>
    new RangeError(`[tillit] insights: BG/NBD customer ${index}: ${field} must be ${rule}, got ${value}`);
  if (!Number.isInteger(x) || x < 0) throw bad('frequency', x, 'a whole number ≥ 0');
  if (!Number.isFinite(T) || T < 0) throw bad('T', T, 'a finite number ≥ 0');
  if (!(recency >= 0 && recency <= T)) throw bad('recency', recency, `between 0 and T (${T})`);
}

const fromLog = ([r, alpha, a, b]: number[]): BgNbdParams => ({
  r: Math.exp(r!),
  alpha: Math.exp(alpha!),
  a: Math.exp(a!),
  b: Math.exp(b!),
});

export interface BgNbdFit extends BgNbdParams {
  logLikelihood: number;
  /** False when the search ran out of evaluations or a parameter ended at the edge of the box (`atBound`). */
  converged: boolean;
  /** Parameters that ended near 1e6 or 1e-6 (bounds.ts): the data cannot tell them from an extreme. */
  atBound: string[];
  evaluations: number;
}

/**
 * Counted rows in columns, the form the fit evaluates thousands of times. Each row's t_x and T are
 * indices into `times`, the distinct values of both: ln(α + t) is then taken once per distinct time
 * and evaluation, not twice per row (customers' times are whole days or weeks, so a few hundred).
 */
interface Columns {
  x: Float64Array;
  txAt: Uint32Array;
  TAt: Uint32Array;
  times: Float64Array;
  count: Float64Array;
  maxX: number;
}

function columns(rows: readonly RfmTriple[]): Columns {
  const index = new Map<number, number>();
  const at = (time: number) => {
    let i = index.get(time);
    if (i === undefined) {
      i = index.size;
      index.set(time, i);
    }
    return i;
  };
  const x = Float64Array.from(rows, (row) => row.frequency);
  const txAt = Uint32Array.from(rows, (row) => at(row.recency));
  const TAt = Uint32Array.from(rows, (row) => at(row.T));
  return {
    x,
    txAt,
    TAt,
    times: Float64Array.from(index.keys()),
    count: Float64Array.from(rows, (row) => row.count ?? 1),
    maxX: Math.max(0, ...new Set(x)),
  };
}

/**
 * Σ count · ln L over counted rows: the same sum as `bgNbdLogLikelihood` row by row, with the ln Γ
 * terms and ln(b + x − 1), which depend only on x, computed once per frequency, and ln(α + t) once
 * per distinct time.
 */
export function bgNbdTotalLogLikelihood({ r, alpha, a, b }: BgNbdParams, rows: readonly RfmTriple[] | Columns): number {
  const { x, txAt, TAt, times, count, maxX } = Array.isArray(rows) ? columns(rows) : (rows as Columns);
  const shared = r * Math.log(alpha) - lnGamma(r) + lnGamma(a + b) - lnGamma(b);
  const common = new Float64Array(maxX + 1).fill(Number.NaN);
  const lnB = new Float64Array(maxX + 1);
  const lnAlphaPlus = times.map((t) => Math.log(alpha + t));
  const lnA = Math.log(a);
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    let c = common[xi]!;
    if (Number.isNaN(c)) {
      c = shared + lnGamma(r + xi) + lnGamma(b + xi) - lnGamma(a + b + xi);
      common[xi] = c;
      lnB[xi] = Math.log(b + xi - 1);
    }
    const alive = -(r + xi) * lnAlphaPlus[TAt[i]!]!;
    const ll = xi === 0 ? alive : logAddExp(alive, lnA - lnB[xi]! - (r + xi) * lnAlphaPlus[txAt[i]!]!);
    total += count[i]! * (c + ll);
  }
  return total;
}

/** Maximum-likelihood BG/NBD fit, optimised in log-parameters (so every parameter stays positive). */
export function fitBgNbd(customers: Iterable<RfmTriple>, start: Partial<BgNbdParams> = {}): BgNbdFit {
  const rows = foldTriples(customers);
  const n = rows.reduce((sum, row) => sum + row.count!, 0);
  if (!rows.some((row) => row.frequency > 0))
    throw new Error('[tillit] insights: BG/NBD needs at least one repeat customer to fit');
  const data = columns(rows);
  const negativeMean = (theta: number[]) => -bgNbdTotalLogLikelihood(fromLog(theta), data) / n;
  const x0 = [start.r ?? 1, start.alpha ?? 1, start.a ?? 1, start.b ?? 1].map(Math.log);
  const found: Minimum = minimize(withinBounds(negativeMean), x0);
  const atBound = atBounds(['r', 'alpha', 'a', 'b'], found.x);
  const converged = found.converged && atBound.length === 0;
  return { ...fromLog(found.x), logLikelihood: -found.fx * n, converged, atBound, evaluations: found.evaluations };
}

/** ln of the odds term a/(b+x−1) · ((α+T)/(α+t_x))^(r+x) that P(alive) and E[Y] share (−∞ for x = 0). */
function lnDeadOdds({ r, alpha, a, b }: BgNbdParams, { frequency: x, recency, T }: RfmTriple): number {
  if (x === 0) return Number.NEGATIVE_INFINITY;
  return Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + recency));
}

/** P(alive | x, t_x, T), FHL 2005 eq. 11 (computed as a logistic of the log odds). */
export function probabilityAlive(params: BgNbdParams, customer: RfmTriple): number {
  return 1 / (1 + Math.exp(lnDeadOdds(params, customer)));
}

/** E[Y(t) | x, t_x, T]: expected transactions in the next `t` time units, FHL 2005 eq. 10. */
export function expectedPurchases(params: BgNbdParams, customer: RfmTriple, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  const { frequency: x, T } = customer;
  const z = t / (alpha + T + t);
  const hyper = hyp2f1(r + x, b + x, a + b + x - 1, z);
  const numerator = ((a + b + x - 1) / (a - 1)) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyper);
  return numerator * probabilityAlive(params, customer);
}
