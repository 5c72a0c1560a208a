// CSV exports (RFC 4180): every list the API serves as JSON can also be downloaded as CSV.
import type { Context } from "hono";

export type Cell = string | number | boolean | null;

/** Text cells that a spreadsheet would run as a formula get a leading apostrophe (OWASP's advice). */
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: Cell): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A CSV document with a header row, CRLF line ends.
 *
 * @example
 * toCsv(["name", "n"], [["a,b", 1]]) // 'name,n\r\n"a,b",1\r\n'
 */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return `${[header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`;
}

/** A CSV download; `filename` is built from slugs and numbers only. */
export function csvResponse(c: Context, filename: string, text: string): Response {
  return c.body(text, 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="${filename}"`,
  });
}
