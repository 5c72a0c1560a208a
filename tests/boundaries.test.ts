// The import rules of the layout (README, "Layout"), checked on every source file.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const FOLDERS = ["schema", "runner", "api", "web"] as const;
type Folder = (typeof FOLDERS)[number];

/** Which of our folders each folder may import (README, "Layout"). */
const MAY_IMPORT: Record<Folder, Folder[]> = {
  schema: [],
  runner: ["schema", "api"],
  api: ["schema", "web"],
  web: ["schema"],
};
const DB_DRIVERS =
  /^(pg|@electric-sql\/pglite|@neondatabase\/serverless|drizzle-orm\/(pglite|node-postgres|neon-serverless))(\/|$)/;

interface SourceFile {
  path: string;
  folder: Folder;
  text: string;
  imports: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "assets" || entry.name === "migrations" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const files: SourceFile[] = FOLDERS.flatMap((folder) =>
  sourceFiles(join(ROOT, folder)).map((path) => {
    const text = readFileSync(path, "utf8");
    const imports = [
      ...text.matchAll(
        /(?:^|\n)\s*(?:import|export)\b[^"';]*?from\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g,
      ),
    ].map((m) => (m[1] ?? m[2])!);
    return { path: relative(ROOT, path), folder, text, imports };
  }),
);

function targetFolder(file: SourceFile, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  return relative(ROOT, resolve(ROOT, dirname(file.path), specifier)).split("/")[0]!;
}

describe("module boundaries", () => {
  it("finds the source files", () => {
    expect(files.some((f) => f.path === "runner/cli.ts")).toBe(true);
    expect(files.some((f) => f.path === "schema/contract/suite.ts")).toBe(true);
  });

  it("each folder imports only the folders it may, through their index.ts", () => {
    const violations: string[] = [];
    for (const file of files) {
      for (const specifier of file.imports) {
        const target = targetFolder(file, specifier);
        if (!target || target === file.folder) continue;
        const resolved = relative(ROOT, resolve(ROOT, dirname(file.path), specifier));
        if (!MAY_IMPORT[file.folder].includes(target as Folder)) violations.push(`${file.path} imports ${resolved}`);
        else if (resolved !== `${target}/index.js` && !(target === "api" && resolved === "api/node.js"))
          violations.push(`${file.path} deep-imports ${resolved}`);
        else if (target === "api" && file.path !== "runner/commands/serve.ts")
          violations.push(`${file.path} imports the API; only the serve command may`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("schema/contract imports zod only", () => {
    const contract = files.filter((f) => f.path.startsWith("schema/contract/"));
    const foreign = contract.flatMap((f) =>
      f.imports.filter((s) => !s.startsWith("./") && s !== "zod").map((s) => `${f.path}: ${s}`),
    );
    expect(foreign).toEqual([]);
  });

  it("only the runner imports TensorFlow.js, and only api/db imports database drivers", () => {
    const tf = files
      .filter((f) => f.folder !== "runner" && f.imports.some((s) => s.startsWith("@tensorflow/")))
      .map((f) => f.path);
    const drivers = files
      .filter((f) => !f.path.startsWith("api/db/") && f.imports.some((s) => DB_DRIVERS.test(s)))
      .map((f) => f.path);
    expect(tf).toEqual([]);
    expect(drivers).toEqual([]);
  });

  it("only runner/cli.ts touches process.argv and process.exit", () => {
    const touching = files
      .filter((f) => f.path !== "runner/cli.ts" && /process\.(argv|exit)\b/.test(f.text))
      .map((f) => f.path);
    expect(touching).toEqual([]);
  });
});
