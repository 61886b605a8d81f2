// Seeded randomness for the simulation: mulberry32, plus the few
// distributions the population needs. Same seed, same run, bit for bit.
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]!; }
  normal(mean: number, sd: number): number {
    const u = 1 - this.next(), v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  poisson(lambda: number): number {
    if (lambda > 50) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const l = Math.exp(-lambda);
    let k = 0, p = 1;
    do { k++; p *= this.next(); } while (p > l);
    return k - 1;
  }
  /** Index in [0, n) with a Zipf-like skew: a few favourites, a long tail. */
  zipf(n: number, s = 1.1): number {
    const u = this.next();
    return Math.min(n - 1, Math.floor(Math.pow(n + 1, Math.pow(u, s)) - 1));
  }
  id(len = 10): string {
    let out = '';
    for (let i = 0; i < len; i++) out += 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(this.next() * 36)];
    return out;
  }
  fork(salt: number): Rng { return new Rng(Math.floor(this.next() * 2 ** 32) ^ salt); }
}
