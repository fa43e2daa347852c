/** A distinct channel path with how often it ended in a conversion and how often in none. */
export interface PathCount {
  channels: readonly string[];
  conversions: number;
  nulls: number;
}

/** Solves A x = b in place by Gaussian elimination with partial pivoting. */
export function solveLinear(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    const p = a[col]![col]!;
    if (p === 0) continue;
    for (let row = col + 1; row < n; row++) {
      const factor = a[row]![col]! / p;
      if (factor === 0) continue;
      for (let k = col; k < n; k++) a[row]![k]! -= factor * a[col]![k]!;
      b[row]! -= factor * b[col]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    let sum = b[row]!;
    for (let k = row + 1; k < n; k++) sum -= a[row]![k]! * x[k]!;
    const p = a[row]![row]!;
    x[row] = p === 0 ? 0 : sum / p;
  }
  return x;
}

/**
 * First-order transition counts: state 0 is start, 1..n the channels; each row also counts the
 * transitions into conversion and into null.
 */
export interface Chain {
  channels: string[];
  counts: number[][];
  toConversion: number[];
  toNull: number[];
  /** channel → its state (1..n). */
  stateOf: Map<string, number>;
}

/** A chain with no transitions yet: only the start state. */
export function emptyChain(): Chain {
  return { channels: [], counts: [[0]], toConversion: [0], toNull: [0], stateOf: new Map() };
}

function stateOf(chain: Chain, channel: string): number {
  const index = chain.stateOf;
  let state = index.get(channel);
  if (state === undefined) {
    state = chain.channels.push(channel);
    index.set(channel, state);
    for (const row of chain.counts) row.push(0);
    chain.counts.push(new Array<number>(state + 1).fill(0));
    chain.toConversion.push(0);
    chain.toNull.push(0);
  }
  return state;
}

/** Adds a path's transitions (start → channels → conversion or null) to `chain`: its memory stays channels². */
export function addPath(chain: Chain, path: PathCount): void {
  const weight = path.conversions + path.nulls;
  let from = 0;
  for (const channel of path.channels) {
    const to = stateOf(chain, channel);
    chain.counts[from]![to]! += weight;
    from = to;
  }
  chain.toConversion[from]! += path.conversions;
  chain.toNull[from]! += path.nulls;
}

export function transitionCounts(paths: Iterable<PathCount>): Chain {
  const chain = emptyChain();
  for (const path of paths) addPath(chain, path);
  return chain;
}

/** P(reaching conversion from start); `removed` (a channel state) leads to null instead. */
export function conversionProbability(chain: Chain, removed = -1): number {
  const n = chain.counts.length;
  const a: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = chain.counts[i]!;
    const total = row.reduce((sum, c) => sum + c, 0) + chain.toConversion[i]! + chain.toNull[i]!;
    // Transitions into the removed channel are dropped: that mass can no longer reach conversion.
    a.push(row.map((c, j) => (i === j ? 1 : 0) - (total && j !== removed ? c / total : 0)));
    b.push(total ? chain.toConversion[i]! / total : 0);
  }
  return solveLinear(a, b)[0]!;
}

/**
 * Markov removal effects (as the R ChannelAttribution package defines them): for each channel,
 * 1 − P(conversion without the channel) / P(conversion). Credits are shared in proportion to them.
 */
export function removalEffects(paths: Iterable<PathCount> | Chain): Map<string, number> {
  const chain = 'counts' in paths ? paths : transitionCounts(paths);
  const base = conversionProbability(chain);
  const effects = new Map<string, number>();
  chain.channels.forEach((channel, i) => {
    effects.set(channel, base > 0 ? 1 - conversionProbability(chain, i + 1) / base : 0);
  });
  return effects;
}
