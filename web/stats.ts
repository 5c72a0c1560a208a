// Kendall's rank correlation between two figures of the architectures on a board, which the
// insight page computes from what the API returns (quantiles live in schema/quantiles.ts).

export interface KendallTau {
  /** Kendall's τ-b, which corrects for ties; null when either variable is constant. */
  tau: number | null;
  /** Pairs compared. */
  n: number;
  concordant: number;
  discordant: number;
  /**
   * Two-sided p-value of τ = 0 from the normal approximation with tie correction; null below
   * 3 pairs or without variance.
   */
  pValue: number | null;
}

function compare(a: number, b: number): number {
  // Comparisons, not subtraction: +∞ (a censored run) ties with +∞ instead of giving NaN.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Σ over groups of tied values of f(group size). */
function sumOverTies(values: readonly number[], f: (t: number) => number): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let total = 0;
  for (const t of counts.values()) if (t > 1) total += f(t);
  return total;
}

/**
 * The complementary error function, Chebyshev fit of Numerical Recipes (§6.2), fractional
 * error below 1.2e-7 everywhere: plenty for a p-value.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/**
 * Kendall's τ-b between paired values and its two-sided p-value (normal approximation with
 * the tie-corrected variance). Values may be +∞, as censored steps to fit are: they tie with
 * each other and rank above every finite value. NaN is not allowed.
 *
 * @example
 * kendallTau([1, 2, 3], [1, 3, 2]).tau // 0.333…
 */
export function kendallTau(x: readonly number[], y: readonly number[]): KendallTau {
  if (x.length !== y.length) throw new Error(`kendallTau needs pairs: ${x.length} x values, ${y.length} y values`);
  if ([...x, ...y].some(Number.isNaN)) throw new Error("kendallTau of NaN");
  const n = x.length;
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = compare(x[i]!, x[j]!) * compare(y[i]!, y[j]!);
      if (s > 0) concordant++;
      else if (s < 0) discordant++;
    }
  }
  const pairs = (n * (n - 1)) / 2;
  const tiedX = sumOverTies(x, (t) => (t * (t - 1)) / 2);
  const tiedY = sumOverTies(y, (t) => (t * (t - 1)) / 2);
  const denominator = Math.sqrt((pairs - tiedX) * (pairs - tiedY));
  const s = concordant - discordant;
  const tau = denominator > 0 ? s / denominator : null;

  let pValue: number | null = null;
  if (n >= 3 && tau !== null) {
    const m = n * (n - 1);
    const variance =
      (m * (2 * n + 5) -
        sumOverTies(x, (t) => t * (t - 1) * (2 * t + 5)) -
        sumOverTies(y, (t) => t * (t - 1) * (2 * t + 5))) /
        18 +
      (2 * tiedX * tiedY) / m +
      (sumOverTies(x, (t) => t * (t - 1) * (t - 2)) * sumOverTies(y, (t) => t * (t - 1) * (t - 2))) / (9 * m * (n - 2));
    if (variance > 0) pValue = Math.min(1, erfc(Math.abs(s) / Math.sqrt(variance) / Math.SQRT2));
  }
  return { tau, n, concordant, discordant, pValue };
}
