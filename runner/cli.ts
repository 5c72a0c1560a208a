// The `rethink-bench` command: parse argv in one place, run a command, map typed errors to exit codes.
import { Command, CommanderError } from "commander";
import { keysCommand } from "./commands/keys.js";
import { verifyCommand } from "./commands/verify.js";
import { CliError } from "./errors.js";
import { RUNNER_VERSION } from "./version.js";

function buildProgram(): Command {
  const program = new Command("rethink-bench")
    .description(
      "Benchmark how neural-network architectures memorize and generalize: the randomization tests of " +
        'Zhang et al., "Understanding deep learning requires rethinking generalization" (ICLR 2017).',
    )
    .version(RUNNER_VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  program
    .command("keys")
    .description("show your signing key's keyid and public key, creating the key on first use")
    .option("--json", "print {keyid, publicKey, path, created} as JSON")
    .action(keysCommand);

  program
    .command("verify")
    .description("verify result bundles (DSSE envelopes): signature, schema and every derived metric")
    .argument("<files...>", "bundle files (*.dsse.json)")
    .option("--json", "print one JSON result per file")
    .action(verifyCommand);

  for (const command of program.commands) command.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed help, the version or the usage error.
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help" ? 0 : 2;
    }
    if (error instanceof CliError) {
      process.stderr.write(`rethink-bench: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`rethink-bench: unexpected error (a bug; please report it):\n${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
}

process.exitCode = await main(process.argv);
