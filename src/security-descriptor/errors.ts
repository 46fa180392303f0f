// Errors raised by the codec. Every malformed input surfaces as a SecurityDescriptorError that names
// the [MS-DTYP] field and the byte offset where decoding stopped, so an operator can look at the
// raw value and see what is wrong with it.

export class SecurityDescriptorError extends Error {
  readonly code = 'INVALID_SECURITY_DESCRIPTOR';

  constructor(
    message: string,
    readonly field: string,
    readonly offset: number,
  ) {
    super(`${field} at byte offset ${offset}: ${message}`);
    this.name = 'SecurityDescriptorError';
  }
}

/**
 * A SID string ([MS-DTYP] 2.4.2.1) or objectSid value that is not well formed. Almost always caller
 * input, hence the contract's VALIDATION_FAILED code.
 */
export class InvalidSidError extends Error {
  readonly code = 'VALIDATION_FAILED';

  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message);
    this.name = 'InvalidSidError';
  }
}
