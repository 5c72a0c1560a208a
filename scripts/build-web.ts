// Builds the pages' client assets into dist/public (part of `npm run build`): the chart
// scripts of web/client with Chart.js, bundled and minified by esbuild as ES modules with a
// shared chunk; the stylesheet; the icon. File names carry a content hash, so they are
// cached for a year; asset-manifest.json tells the server which names to link, and
// _headers tells Cloudflare's static-asset server how to cache them. It also copies the PyTorch
// worker (runner/torch/worker.py, which tsc does not emit) beside its compiled client, so the package ships it.
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ASSET_MANIFEST_FILE, AssetManifest } from "../web/index.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PUBLIC = join(ROOT, "dist", "public");
const ASSETS = join(PUBLIC, "assets");
/** Browsers that run ES2020 modules: what Chart.js 4 needs anyway. */
const TARGET = ["es2020", "chrome91", "firefox90", "safari15"];
const IMMUTABLE = "public, max-age=31536000, immutable";

await rm(PUBLIC, { recursive: true, force: true });
await mkdir(ASSETS, { recursive: true });

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: {
    architecture: "web/client/architecture.ts",
    insight: "web/client/insight.ts",
    site: "web/styles/site.css",
  },
  bundle: true,
  format: "esm",
  splitting: true,
  minify: true,
  target: TARGET,
  outdir: ASSETS,
  entryNames: "[name]-[hash]",
  chunkNames: "shared-[hash]",
  metafile: true,
  logLevel: "warning",
});

/** The URL path of the output built from an entry point. */
function urlOf(entryPoint: string): string {
  const [file] = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint === entryPoint) ?? [];
  if (!file) throw new Error(`esbuild wrote nothing for ${entryPoint}`);
  return `/${relative(PUBLIC, join(ROOT, file)).split("\\").join("/")}`;
}

const icon = await readFile(join(ROOT, "web/styles/icon.svg"));
const iconName = `icon-${createHash("sha256").update(icon).digest("hex").slice(0, 10)}.svg`;
await writeFile(join(ASSETS, iconName), icon);

const manifest = AssetManifest.parse({
  stylesheet: urlOf("web/styles/site.css"),
  icon: `/assets/${iconName}`,
  scripts: { architecture: urlOf("web/client/architecture.ts"), insight: urlOf("web/client/insight.ts") },
});
await writeFile(join(PUBLIC, ASSET_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
await writeFile(join(PUBLIC, "_headers"), `/assets/*\n  Cache-Control: ${IMMUTABLE}\n`);

const sizes = Object.entries(result.metafile.outputs).map(
  ([file, output]) => `${relative(PUBLIC, join(ROOT, file))} ${(output.bytes / 1024).toFixed(1)} KiB`,
);
process.stdout.write(`web assets in ${relative(ROOT, PUBLIC)}: ${sizes.join(", ")}\n`);

// runner/torch/process.ts's workerScriptPath() looks beside itself first: dist/runner/torch/worker.py.
await mkdir(join(ROOT, "dist", "runner", "torch"), { recursive: true });
await copyFile(join(ROOT, "runner", "torch", "worker.py"), join(ROOT, "dist", "runner", "torch", "worker.py"));
