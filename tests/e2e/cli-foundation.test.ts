// The installed command: help on every command, keys, and verify's exit codes and reasons.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeClasses, encodeClasses, fromBase64, signResult, toBase64 } from "../../schema/index.js";
import { makePredicate, newSigner } from "../fixtures/bundles.js";
import { runCli } from "../fixtures/cli.js";

let dir: string;
let good: string;
let tampered: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rb-cli-"));
  const signer = await newSigner();
  const envelope = await signResult(await makePredicate(signer, { submitterName: "Ada" }), signer);
  good = join(dir, "good.dsse.json");
  writeFileSync(good, JSON.stringify(envelope));
  const bytes = fromBase64(envelope.payload)!;
  bytes[bytes.length - 10]! ^= 0x02;
  tampered = join(dir, "tampered.dsse.json");
  writeFileSync(tampered, JSON.stringify({ ...envelope, payload: toBase64(bytes) }));
});

describe("rethink-bench CLI", () => {
  it("prints help for the program and every command", async () => {
    const top = await runCli(["--help"]);
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== "help");
    expect(commands).toEqual(expect.arrayContaining(["keys", "verify"]));
    for (const command of commands) {
      const help = await runCli([command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: rethink-bench ${command}`);
    }
  });

  it("exits 2 with a usage message on an unknown command", async () => {
    const result = await runCli(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it("creates the key once and shows only its public part", async () => {
    const env = { RETHINK_BENCH_CONFIG_DIR: join(dir, "config") };
    const first = await runCli(["keys", "--json"], env);
    expect(first.code).toBe(0);
    const shown = JSON.parse(first.stdout) as { keyid: string; publicKey: string; created: boolean; path: string };
    expect(shown.created).toBe(true);
    const stored = JSON.parse(readFileSync(shown.path, "utf8")) as { d: string };
    const again = await runCli(["keys"], env);
    expect(again.stdout).toContain(shown.keyid);
    expect(again.stdout).not.toContain(stored.d);
    expect(first.stdout).not.toContain(stored.d);
  });

  it("verifies a good bundle with a one-line summary and exits 0", async () => {
    const result = await runCli(["verify", good]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        String.raw`^OK {4}.*good\.dsse\.json: suite smoke v3 · mlp-1x512 · 6 runs over 2 corruptions · ` +
          String.raw`wasm backend · signed by [0-9a-f]{16}… \(Ada\)\n$`,
      ),
    );
  });

  it("fails a tampered, a malformed and a missing bundle with precise reasons, exit 1", async () => {
    const notJson = join(dir, "bad.json");
    writeFileSync(notJson, "{ nope");
    const result = await runCli(["verify", good, tampered, notJson, join(dir, "missing.json")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("tampered.dsse.json: bad-signature");
    expect(result.stdout).toContain("bad.json: bad-json");
    expect(result.stdout).toContain("missing.json: unreadable: cannot read the file: ENOENT");
    expect(result.stderr).toContain("3 of 4 bundles failed verification");
  });

  it("fails, as the server does, a validly signed bundle whose predictions contradict its accuracies", async () => {
    const signer = await newSigner();
    const predicate = await makePredicate(signer, { seeds: [0] });
    // One correct training prediction of the true-label run made wrong: the signature and every
    // derived figure still agree, only re-scoring against the labels finds it.
    const run = predicate.runs[0]!;
    const classes = decodeClasses(run.predictions!.train, run.task.dataset.trainSize)!;
    classes[0] = (classes[0]! + 1) % 10;
    run.predictions = { ...run.predictions!, train: encodeClasses(classes) };
    const file = join(dir, "rescored.dsse.json");
    writeFileSync(file, JSON.stringify(await signResult(predicate, signer)));
    const result = await runCli(["verify", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/rescored\.dsse\.json: wrong-score: .*mlp-1x512\/mnist-10k\/true\/none\/seed-0/);
  });
});
