/** A failure the command line reports as a message and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    /** 1: the operation failed; 2: the command was used wrongly. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const usageError = (message: string) => new CliError(message, 2);
