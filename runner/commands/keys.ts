// `rethink-bench keys`: show the submitter's key (creating it on first use). Never prints the private part.

import { loadOrCreateKey } from "../keys.js";
import { configDir } from "../paths.js";

export interface KeysOptions {
  json?: boolean;
}

export async function keysCommand(options: KeysOptions): Promise<void> {
  const { signer, path, created } = await loadOrCreateKey(configDir());
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ keyid: signer.keyid, publicKey: signer.publicKey, path, created })}\n`);
    return;
  }
  if (created)
    process.stderr.write(
      `Created a new Ed25519 signing key at ${path} (readable by you only). ` +
        `Back it up: it is your identity on the leaderboard.\n`,
    );
  process.stdout.write(`keyid      ${signer.keyid}\npublic key ${signer.publicKey}\nfile       ${path}\n`);
}
