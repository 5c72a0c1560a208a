// The outbox: bundles that could not be sent (network down, server error, rate limit) wait
// here, under the user's data dir, until `rethink-bench submit --retry` delivers them.
import { mkdir, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";

const Entry = z.object({ api: z.string(), queuedAt: z.string(), attempts: z.number().int(), lastError: z.string() });
export type OutboxEntry = z.infer<typeof Entry> & { id: string; bundlePath: string };

export class Outbox {
  constructor(readonly dir: string) {}

  /** Queues a bundle (by its payload digest, so queuing it twice keeps one copy). */
  async add(id: string, bundleText: string, api: string, error: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const bundlePath = join(this.dir, `${id}.dsse.json`);
    const previous = await this.entry(id);
    await writeFileAtomic(bundlePath, bundleText);
    const entry = {
      api,
      queuedAt: previous?.queuedAt ?? new Date().toISOString(),
      attempts: (previous?.attempts ?? 0) + 1,
      lastError: error,
    };
    await writeFileAtomic(join(this.dir, `${id}.json`), JSON.stringify(entry, null, 2));
    return bundlePath;
  }

  /** Every queued bundle, oldest first. */
  async list(): Promise<OutboxEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const entries: OutboxEntry[] = [];
    for (const name of names.filter((n) => n.endsWith(".dsse.json"))) {
      const id = name.slice(0, -".dsse.json".length);
      const entry = await this.entry(id);
      entries.push({
        id,
        bundlePath: join(this.dir, name),
        ...(entry ?? { api: "", queuedAt: "", attempts: 0, lastError: "" }),
      });
    }
    return entries.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  }

  /** Removes a delivered bundle. */
  async remove(id: string): Promise<void> {
    await unlink(join(this.dir, `${id}.json`)).catch(() => undefined);
    await unlink(join(this.dir, `${id}.dsse.json`));
  }

  /** Moves a bundle the server refused (4xx) to `rejected/`, with the server's answer; never deletes it. */
  async reject(id: string, problem: string): Promise<string> {
    const rejected = join(this.dir, "rejected");
    await mkdir(rejected, { recursive: true });
    await writeFileAtomic(join(rejected, `${id}.problem.txt`), `${problem}\n`);
    await rename(join(this.dir, `${id}.dsse.json`), join(rejected, `${id}.dsse.json`));
    await unlink(join(this.dir, `${id}.json`)).catch(() => undefined);
    return join(rejected, `${id}.dsse.json`);
  }

  private async entry(id: string): Promise<z.infer<typeof Entry> | null> {
    try {
      return Entry.parse(JSON.parse(await readFile(join(this.dir, `${id}.json`), "utf8")));
    } catch {
      return null;
    }
  }
}
