/** A seeded uniform [0, 1) generator (mulberry32): simulations and tests repeat exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, rate) by Marsaglia & Tsang (2000); shape < 1 through Gamma(shape + 1)·U^(1/shape). */
export function randomGamma(random: () => number, shape: number, rate = 1): number {
  if (shape < 1) return randomGamma(random, shape + 1, rate) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

export function randomBeta(random: () => number, a: number, b: number): number {
  const x = randomGamma(random, a);
  return x / (x + randomGamma(random, b));
}

export function randomExponential(random: () => number, rate: number): number {
  return -Math.log(1 - random()) / rate;
}
