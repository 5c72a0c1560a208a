// The corruption sweep of the paper's §2.1 and Figure 1, as suite conditions.
import type { Condition, Corruption } from "../contract/index.js";
import { REGULARIZERS } from "./regularizers.js";

/** Every randomization test: true labels, partial corruption p = 0.2…0.8, random labels, and the three input corruptions. */
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
