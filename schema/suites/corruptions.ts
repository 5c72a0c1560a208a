// The corruption sweep of the paper's §2.1 and Figure 1, as suite conditions.
import type { Condition, Corruption, Regularizer } from "../contract/index.js";
import { REGULARIZERS } from "./regularizers.js";

/**
 * Every randomization test: true labels, partial corruption p = 0.2…0.8, random labels, and the
 * three input corruptions.
 */
export const ALL_CORRUPTIONS: Corruption[] = [
  { kind: "true" },
  { kind: "partial", p: 0.2 },
  { kind: "partial", p: 0.4 },
  { kind: "partial", p: 0.6 },
  { kind: "partial", p: 0.8 },
  { kind: "random" },
  { kind: "shuffled-pixels" },
  { kind: "random-pixels" },
  { kind: "gaussian" },
];

/** Each corruption trained without explicit regularization, as in the paper's randomization tests. */
export function unregularized(corruptions: Corruption[]): Condition[] {
  return corruptions.map((corruption) => ({ corruption, regularizer: REGULARIZERS.none }));
}

/** True and random labels: the two conditions every regularizer ablation trains. */
const TRUE_AND_RANDOM: Corruption[] = [{ kind: "true" }, { kind: "random" }];

/**
 * Each regularizer on true and on random labels, as in the paper's Table 1; `architectures`
 * limits them to the architectures they apply to.
 */
export function ablations(regularizers: Regularizer[], architectures?: string[]): Condition[] {
  return regularizers.flatMap((regularizer) =>
    TRUE_AND_RANDOM.map((corruption) => ({ corruption, regularizer, ...(architectures && { architectures }) })),
  );
}
