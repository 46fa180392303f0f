/** The CLI's exit codes (scripts branch on them). */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake on the command line: printed with the command's usage, exit 2. */
export class UsageError extends Error {}

/** A failure the CLI itself detected (not an API error): printed, with its own exit code. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
    readonly code = 'CLI_FAILED',
  ) {
    super(message);
  }
}
