/** An error of the control API (not Meta's Graph API): 400, 404 or 409. */
export class SimError extends Error {
  override readonly name = 'SimError';

  constructor(
    readonly kind: 'invalid_request' | 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }

  get httpStatus(): number {
    return this.kind === 'not_found' ? 404 : this.kind === 'conflict' ? 409 : 400;
  }
}
