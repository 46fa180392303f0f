/** The exit code of a start refused for its configuration (EX_CONFIG of sysexits.h). */
export const CONFIG_ERROR_EXIT_CODE = 78;

/** A configuration problem found at boot. The message names the variable and never holds a secret. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Configuration error: ${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}
