// Byte encodings that behave the same in Node, Workers and browsers (atob/btoa only).

const CHUNK = 0x8000;

/** Bytes backed by a plain ArrayBuffer, the kind WebCrypto accepts. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** Standard padded base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/**
 * Bytes of standard padded base64; null when the text is not exactly that (atob alone
 * accepts whitespace and missing padding, which would make two texts decode the same).
 */
export function fromBase64(text: string): Bytes | null {
  // Flat pattern plus a length rule: a grouped, repeated pattern overflows the regex stack on megabytes.
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Unpadded base64url of bytes. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Bytes of unpadded base64url; null when malformed. */
export function fromBase64Url(text: string): Bytes | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return fromBase64(padded);
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const utf8 = {
  encode: (text: string): Bytes => new TextEncoder().encode(text),
  /** Strict: malformed UTF-8 throws instead of turning into U+FFFD. */
  decode: (bytes: Uint8Array): string => new TextDecoder("utf-8", { fatal: true }).decode(bytes),
};

/**
 * Class ids (0–15) packed two per byte, high nibble first, as standard base64: the
 * compact form of a run's predictions.
 *
 * @example
 * decodeClasses(encodeClasses(Uint8Array.of(3, 9, 1)), 3) // Uint8Array [3, 9, 1]
 */
export function encodeClasses(classes: Uint8Array): string {
  const packed = new Uint8Array(Math.ceil(classes.length / 2));
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    if (c > 15) throw new RangeError(`class id ${c} does not fit in 4 bits`);
    packed[i >> 1]! |= i % 2 === 0 ? c << 4 : c;
  }
  return toBase64(packed);
}

/** The inverse of `encodeClasses`; null when the text does not hold exactly `count` classes. */
export function decodeClasses(text: string, count: number): Uint8Array | null {
  const packed = fromBase64(text);
  if (!packed || packed.length !== Math.ceil(count / 2)) return null;
  const classes = new Uint8Array(count);
  for (let i = 0; i < count; i++) classes[i] = i % 2 === 0 ? packed[i >> 1]! >> 4 : packed[i >> 1]! & 0x0f;
  return classes;
}
