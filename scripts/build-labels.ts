// Writes schema/datasets/labels/<dataset>.ts, the labels the server scores predictions against,
// from the dataset's verified files: `npm run labels:build -- --dataset ID [--data-dir DIR] [--out DIR]`.
//
// The files are found and checked exactly as `rethink-bench run` finds and checks them (--data-dir,
// else Debian's folder or the cache, downloading unless --no-download), so the labels are those of
// the pools the runner cuts its subsets from. $RETHINK_BENCH_DATASET_PINS adds digests, for tests
// and private datasets; the module's header names the digests of the files actually read.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadRawDataset, readDatasetPins } from "../runner/datasets/index.js";
import { cacheDir } from "../runner/paths.js";
import { DatasetId, labelDataName, packLabelData, renderLabelModule } from "../schema/index.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "usage: npm run labels:build -- --dataset ID [--data-dir DIR] [--out DIR] [--no-download]";

const { values } = parseArgs({
  options: {
    dataset: { type: "string" },
    "data-dir": { type: "string" },
    out: { type: "string", default: join(ROOT, "schema", "datasets", "labels") },
    "no-download": { type: "boolean", default: false },
  },
});
const id = DatasetId.exclude(["synthetic"]).safeParse(values.dataset);
if (!id.success) {
  console.error(`${USAGE}\n--dataset must be one of ${DatasetId.exclude(["synthetic"]).options.join(", ")}`);
  process.exitCode = 2;
} else {
  try {
    const raw = await loadRawDataset(id.data, {
      cacheDir: cacheDir(),
      download: !values["no-download"],
      pins: readDatasetPins(),
      ...(values["data-dir"] ? { dataDir: resolve(values["data-dir"]) } : {}),
      onProgress: (message) => console.error(message),
    });
    const data = packLabelData(
      raw.id,
      { classes: raw.classes, train: raw.train.labels, test: raw.test.labels },
      raw.files,
    );
    const source = renderLabelModule(data, `npm run labels:build -- --dataset ${raw.id}`);
    const path = join(resolve(values.out), `${raw.id}.ts`);
    mkdirSync(dirname(path), { recursive: true });
    // Written beside the target, then renamed: a half-written module never replaces a good one.
    writeFileSync(`${path}.tmp`, source);
    renameSync(`${path}.tmp`, path);
    console.log(
      `${path}: ${labelDataName(raw.id)}, ${raw.train.count} training and ${raw.test.count} test labels ` +
        `(${source.length} bytes) from ${raw.files.map((f) => f.name).join(", ")}`,
    );
  } catch (error) {
    console.error(`labels:build: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
