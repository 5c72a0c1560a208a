// The runner's few typed errors; runner/cli.ts maps each to its exit code in one place.

/** An error meant for the user: its message is printed as is, with this exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Wrong arguments: unknown names, missing values. Exit 2, like the argument parser. */
export class UsageError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 2, options);
  }
}

/** A file or dataset that is missing, malformed or corrupt. Exit 3. */
export class InputError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 3, options);
  }
}

/** A bundle that does not verify. Exit 1. */
export class VerificationError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 1, options);
  }
}

/** Bundles that could not be delivered now and wait in the outbox. Exit 75 (try again later). */
export class NotSentError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 75, options);
  }
}
