// The signing key: created once with owner-only permissions, never overwritten, never half-written.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KEY_FILE, loadOrCreateKey } from "./keys.js";
import { configDir } from "./paths.js";

describe("loadOrCreateKey", () => {
  it("creates an Ed25519 key with mode 0600 in a 0700 directory, then keeps returning it", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "rb-keys-")), "config");
    const first = await loadOrCreateKey(dir);
    expect(first.created).toBe(true);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const before = readFileSync(first.path, "utf8");
    const second = await loadOrCreateKey(dir);
    expect(second.created).toBe(false);
    expect(second.signer.keyid).toBe(first.signer.keyid);
    expect(readFileSync(first.path, "utf8")).toBe(before);
    expect(readdirSync(dir)).toEqual([KEY_FILE]);
  });

  it("gives every concurrent caller the same key and leaves no temp files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-keys-"));
    const loaded = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKey(dir)));
    expect(new Set(loaded.map((l) => l.signer.keyid)).size).toBe(1);
    expect(loaded.filter((l) => l.created)).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([KEY_FILE]);
  });

  it("refuses a damaged key file instead of replacing it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-keys-"));
    writeFileSync(join(dir, KEY_FILE), "{ not a key", { mode: 0o600 });
    await expect(loadOrCreateKey(dir)).rejects.toThrow(/damaged/);
    expect(readFileSync(join(dir, KEY_FILE), "utf8")).toBe("{ not a key");
  });

  it("finds the config dir from the override, XDG, or the home directory", () => {
    expect(configDir({ RETHINK_BENCH_CONFIG_DIR: "/x" })).toBe("/x");
    expect(configDir({ XDG_CONFIG_HOME: "/cfg" })).toBe("/cfg/rethink-bench");
    expect(configDir({})).toMatch(/\.config\/rethink-bench$/);
  });
});
