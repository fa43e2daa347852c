/**
 * The box the CLTV fits search in: every parameter within [1e-6, 1e6]. Degenerate data has its
 * maximum likelihood at infinity or zero (no repeat purchases varying between customers, one
 * customer, identical customers: a, b or q run off towards ∞), where an unbounded search wanders
 * until its budget ends and returns parameters that overflow the predictions. In the box the search
 * stops at the edge, and a parameter that ends near it is reported (`atBound`) and the fit flagged
 * `converged: false`: the data cannot tell that parameter from an extreme.
 */
export const PARAMETER_BOUND = 1e6;
const LOG_BOUND = Math.log(PARAMETER_BOUND);
/** Within a factor of 10 of the edge (beyond 1e5 or below 1e-5) counts as at the edge. */
const NEAR_EDGE = LOG_BOUND - Math.log(10);

/** `f` over log-parameters, +∞ outside the box (and for NaN), so the simplex never leaves it. */
export function withinBounds(f: (theta: number[]) => number): (theta: number[]) => number {
  return (theta) => (theta.every((t) => Math.abs(t) <= LOG_BOUND) ? f(theta) : Number.POSITIVE_INFINITY);
}

/** The names of the log-parameters that ended near the edge of the box. */
export function atBounds(names: readonly string[], theta: readonly number[]): string[] {
  return names.filter((_, i) => Math.abs(theta[i]!) >= NEAR_EDGE);
}
