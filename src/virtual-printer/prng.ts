/**
 * Small seeded PRNGs. Fault decisions are drawn per line number from
 * (seed, line) rather than from one running stream, so they do not depend on
 * the order or timing in which a host's lines arrive: the same seed gives the
 * same faults at the same lines whatever the host does.
 */

/** mulberry32: a 32-bit state generator returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A generator dedicated to one line number under one seed. */
export function lineRandom(seed: number, line: number): () => number {
  const mixed = Math.imul(line >>> 0, 0x9e3779b1) ^ (seed >>> 0) ^ Math.floor(line / 0x1_0000_0000);
  const random = mulberry32(mixed);
  random(); // the first output of mulberry32 correlates with close seeds; discard it
  return random;
}
