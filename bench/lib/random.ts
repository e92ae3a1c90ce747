// A small seeded PRNG (mulberry32): the same seed gives the same dataset on every machine.
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/** Seeds derived from a name and an index, so that each entity's plan can be rebuilt on its own. */
export function seedOf(name: string, index: number): number {
  let h = 2166136261 ^ index;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
}

const hex = (n: number, digits: number) => (n >>> 0).toString(16).padStart(8, '0').slice(8 - digits);

/**
 * A random-looking version 4 UUID that is unique for each (tag, n): the last group holds the tag and
 * n itself (n < 2^44), the rest is a hash of them. A 32-bit PRNG cannot give unique UUIDs at scale.
 */
export function uuidOf(tag: number, n: number): string {
  const a = seedOf('uuid-a', n * 16 + tag);
  const b = seedOf('uuid-b', n * 16 + tag);
  const high = Math.floor(n / 2 ** 32);
  const last = tag.toString(16) + hex(high, 3) + hex(n >>> 0, 8);
  return `${hex(a, 8)}-${hex(b, 4)}-4${hex(b >>> 16, 3)}-${(8 + (a & 3)).toString(16)}${hex(a >>> 8, 3)}-${last}`;
}
