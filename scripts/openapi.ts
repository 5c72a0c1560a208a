// The OpenAPI document's chores: `print` it, `lint` it with Redocly CLI's recommended rules
// (redocly.yaml) and check that the CLI's generated client types are current, or regenerate
// those types (`client`). Run as `npm run lint:openapi` and `npm run gen:api-client`.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { CLIENT_TYPES_FILE, clientTypes, clientTypesAreCurrent, openApiDocument } from "./openapi-document.js";

const [command] = process.argv.slice(2);
const asText = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;

if (command === "print") {
  process.stdout.write(asText(await openApiDocument()));
} else if (command === "client") {
  await writeFile(CLIENT_TYPES_FILE, await clientTypes(await openApiDocument()));
  process.stdout.write(`wrote ${relative(process.cwd(), CLIENT_TYPES_FILE)}\n`);
} else if (command === "lint") {
  const dir = await mkdtemp(join(tmpdir(), "rb-openapi-"));
  try {
    const file = join(dir, "openapi.json");
    await writeFile(file, asText(await openApiDocument()));
    // redocly.yaml (the working directory's) holds the rules and any ignored warning's reason.
    const lint = spawnSync("redocly", ["lint", file, "--format=stylish", "--max-problems=100"], { stdio: "inherit" });
    if (lint.status !== 0) process.exit(lint.status ?? 1);
    const { current } = await clientTypesAreCurrent();
    if (!current) {
      process.stderr.write(
        `${relative(process.cwd(), CLIENT_TYPES_FILE)} is stale: the API changed since it was generated. ` +
          "Run `npm run gen:api-client` and commit the result.\n",
      );
      process.exit(1);
    }
    process.stdout.write("the CLI's client types match the document\n");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
} else {
  process.stderr.write("usage: tsx scripts/openapi.ts print|lint|client\n");
  process.exit(2);
}
