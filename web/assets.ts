// The built client assets by name: scripts/build-web.ts bundles web/client and web/styles
// into content-hashed files and writes this manifest beside them; pages link the files.
import { z } from "zod";

/** Where the manifest lies in the public folder (`dist/public`). */
export const ASSET_MANIFEST_FILE = "asset-manifest.json";

/** URL paths of the built assets, e.g. `/assets/site-3KJ2F7QX.css`. */
export const AssetManifest = z.strictObject({
  stylesheet: z.string().startsWith("/assets/"),
  icon: z.string().startsWith("/assets/"),
  scripts: z.strictObject({
    architecture: z.string().startsWith("/assets/"),
    insight: z.string().startsWith("/assets/"),
  }),
});
export type AssetManifest = z.infer<typeof AssetManifest>;

export type PageScript = keyof AssetManifest["scripts"];

/**
 * JSON to place inside `<script type="application/json">`: `<`, `>`, `&` and the line
 * separators are escaped, so no string in the data can close the element or start markup.
 *
 * @example
 * jsonForScript({ name: "</script>" }) // '{"name":"\\u003c/script\\u003e"}'
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
