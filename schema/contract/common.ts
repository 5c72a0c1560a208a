// Shared building blocks of the contract: bounded strings, digests, accuracies, limits.
import { z } from "zod";

/**
 * Hard bounds on everything a bundle may contain. A bundle of the `paper` suite fits
 * comfortably; anything larger is rejected before it reaches storage.
 *
 * @example
 * LIMITS.maxEpochs // 1000
 */
export const LIMITS = {
  maxEpochs: 1000,
  maxRunsPerBundle: 2000,
  maxArchitecturesPerBundle: 32,
  maxDatasetFiles: 16,
  maxExamples: 100_000,
  maxClasses: 16,
  maxSeeds: 32,
  maxConditions: 64,
  maxName: 120,
  maxText: 2000,
} as const;

/**
 * Characters a displayed string must not hold: control characters, bidi embeddings, overrides
 * and isolates (U+202A–U+202E, U+2066–U+2069), which make text read differently from what it
 * is, and zero-width characters (U+200B–U+200D, U+2060, U+FEFF), which make two names that
 * differ look the same.
 *
 * @example
 * UNSAFE_TEXT.test("evil\u202Egnp.exe") // true
 */
export const UNSAFE_TEXT = /[\p{Cc}\u202A-\u202E\u2066-\u2069\u200B-\u200D\u2060\uFEFF]/u;

/**
 * A short human-readable name: no control, bidi-control or zero-width characters
 * (`UNSAFE_TEXT`), at most `LIMITS.maxName` chars.
 *
 * @example
 * Name.safeParse("MLP\u200B 1×512").success // false
 */
export const Name = z
  .string()
  .min(1)
  .max(LIMITS.maxName)
  .refine((text) => !UNSAFE_TEXT.test(text), "must not contain control, bidi-control or zero-width characters");

/** Identifiers of suites, architectures and datasets: lowercase slugs such as `mlp-1x512`. */
export const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(?:[-.+][a-z0-9]+)*$/, "must be a lowercase slug like mlp-1x512");

/** Lowercase hex SHA-256 digest. */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits");

/**
 * Standard base64 (RFC 4648 §4), padded. The check is a flat character class plus a length
 * rule: a grouped, repeated pattern exhausts the regex engine's stack on the megabytes of
 * a `paper`-suite payload.
 */
export const Base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: "must be standard padded base64", abort: true })
  .refine((text) => text.length % 4 === 0, "must be standard padded base64");

/** Base64url (RFC 4648 §5), unpadded. */
export const Base64Url = z.string().regex(/^[A-Za-z0-9_-]*$/, "must be unpadded base64url");

/**
 * A fraction in [0, 1], such as an accuracy.
 *
 * Narrow a fraction with the open variants below, not with `Fraction.gt(0)` or `.lt(1)`: zod
 * keeps every bound it is given, so `Fraction.gt(0)` becomes JSON Schema with both `minimum: 0`
 * and `exclusiveMinimum: 0`, which OpenAPI tooling (Redocly's no-mixed-number-range-constraints)
 * flags. Each variant states each bound once and accepts exactly the same numbers.
 *
 * @example
 * Fraction.parse(1) // 1
 */
export const Fraction = z.number().min(0).max(1);

/**
 * A fraction strictly between 0 and 1, such as a partial corruption's probability.
 *
 * @example
 * OpenFraction.safeParse(0).success // false
 */
export const OpenFraction = z.number().gt(0).lt(1);

/**
 * A fraction in [0, 1), such as a dropout rate or a momentum.
 *
 * @example
 * FractionBelowOne.safeParse(1).success // false
 */
export const FractionBelowOne = z.number().min(0).lt(1);

/**
 * A fraction in (0, 1], such as a fit threshold.
 *
 * @example
 * PositiveFraction.safeParse(1).success // true
 */
export const PositiveFraction = z.number().gt(0).max(1);

/** A finite, non-negative number (zod rejects NaN and ±Infinity for every number). */
export const NonNegative = z.number().nonnegative();

export const PositiveInt = z.number().int().positive();
export const NonNegativeInt = z.number().int().nonnegative();

/** An ISO-8601 UTC timestamp such as `2026-11-27T05:38:04.000Z`. */
export const Timestamp = z.iso.datetime();
