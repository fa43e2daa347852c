export interface MinimizeOptions {
  /** Initial simplex edge along each axis. Default 0.5 (in log-parameters: a factor of e^0.5). */
  step?: number;
  /** Stop when every vertex is within xTol (∞-norm) and fTol of the best one. Defaults 1e-8, 1e-10. */
  xTol?: number;
  fTol?: number;
  /** Function evaluations allowed in all. Default 20 000. */
  maxEvaluations?: number;
}

export interface Minimum {
  x: number[];
  fx: number;
  evaluations: number;
  /** False when maxEvaluations ran out before the simplex met the tolerances. */
  converged: boolean;
}

type Vertex = { x: number[]; fx: number };

const along = (from: number[], to: number[], t: number) => from.map((v, i) => v + t * (to[i]! - v));

/** One Nelder–Mead run until the simplex meets the tolerances; see `minimize`. */
function run(f: (x: number[]) => number, start: Vertex, options: Required<MinimizeOptions>, budget: { left: number }) {
  const n = start.x.length;
  const evaluate = (x: number[]): Vertex => {
    budget.left--;
    const fx = f(x);
    return { x, fx: Number.isNaN(fx) ? Number.POSITIVE_INFINITY : fx };
  };
  // Adaptive coefficients (Gao & Han 2012) keep the simplex from collapsing in higher dimensions.
  const [reflect, expand, contract, shrink] = [1, 1 + 2 / n, 0.75 - 1 / (2 * n), 1 - 1 / n];
  const simplex: Vertex[] = [start];
  for (let i = 0; i < n; i++) simplex.push(evaluate(start.x.map((v, j) => (j === i ? v + options.step : v))));
  while (budget.left > 0) {
    simplex.sort((p, q) => p.fx - q.fx);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    const spread = Math.max(...simplex.map((v) => Math.max(...v.x.map((c, i) => Math.abs(c - best.x[i]!)))));
    if (spread <= options.xTol && worst.fx - best.fx <= options.fTol) return { best, converged: true };
    const centroid = best.x.map((_, i) => simplex.slice(0, n).reduce((s, v) => s + v.x[i]!, 0) / n);
    const reflected = evaluate(along(centroid, worst.x, -reflect));
    if (reflected.fx < best.fx) {
      const expanded = evaluate(along(centroid, worst.x, -reflect * expand));
      simplex[n] = expanded.fx < reflected.fx ? expanded : reflected;
    } else if (reflected.fx < simplex[n - 1]!.fx) {
      simplex[n] = reflected;
    } else {
      const outside = reflected.fx < worst.fx;
      const contracted = evaluate(along(centroid, worst.x, outside ? -reflect * contract : contract));
      if (contracted.fx <= (outside ? reflected.fx : worst.fx)) simplex[n] = contracted;
      else for (let i = 1; i <= n; i++) simplex[i] = evaluate(along(best.x, simplex[i]!.x, shrink));
    }
  }
  simplex.sort((p, q) => p.fx - q.fx);
  return { best: simplex[0]!, converged: false };
}

/**
 * Minimises f by the Nelder–Mead simplex method (Lagarias et al. 1998 rules, adaptive coefficients),
 * restarting from the best point until a restart no longer improves it: a single run can stall on a
 * collapsed simplex (McKinnon 1998), a fresh simplex around the answer detects that.
 */
export function minimize(f: (x: number[]) => number, x0: readonly number[], options: MinimizeOptions = {}): Minimum {
  const settings = { step: 0.5, xTol: 1e-8, fTol: 1e-10, maxEvaluations: 20_000, ...options };
  const budget = { left: settings.maxEvaluations };
  budget.left--;
  let current: Vertex = { x: [...x0], fx: f([...x0]) };
  let converged = false;
  for (let restart = 0; restart < 10 && budget.left > 0; restart++) {
    const result = run(f, current, settings, budget);
    const improved = current.fx - result.best.fx;
    current = result.best;
    converged = result.converged;
    if (!converged || (restart > 0 && improved <= settings.fTol)) break;
  }
  return { x: current.x, fx: current.fx, evaluations: settings.maxEvaluations - budget.left, converged };
}
