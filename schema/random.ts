// Seeded randomness for everything that must come out identical on every machine: corruptions,
// data splits, batch order, weight-initialization seeds; the server replays the label draws.
// Never Math.random.
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

/** 32-bit FNV-1a: turns (seed, stream name) into the generator's seed. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/**
 * A seeded generator (xoroshiro128+). Each use draws from its own named stream, so adding a
 * draw to one use never shifts the numbers another use sees.
 *
 * @example
 * const rng = Rng.create(0, "labels/partial-0.4"); rng.int(10) // the same on every machine
 */
export class Rng {
  private constructor(private readonly generator: ReturnType<typeof xoroshiro128plus>) {}

  static create(seed: number, stream: string): Rng {
    return new Rng(xoroshiro128plus(fnv1a(`${seed}/${stream}`)));
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return uniformInt(this.generator, 0, n - 1);
  }

  /** A uniform double in [0, 1), in steps of 2^-53. */
  float(): number {
    return uniformFloat64(this.generator);
  }

  /**
   * A standard normal sample (Box–Muller). V8 computes Math.log/cos with its own fdlibm
   * port, so the values are the same on every platform Node runs on.
   */
  normal(): number {
    const u = 1 - this.float(); // (0, 1]: log(0) never happens
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** A uniformly random permutation of 0…n-1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    this.shuffle(order);
    return order;
  }

  /** Shuffles in place (Fisher–Yates). */
  shuffle<T extends { length: number; [i: number]: number }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}
