import { BusRequestError, type ErrorCode, ParleyError } from '@parley/contracts';

/**
 * What a failed request to another Parley service means for a call: the service's own
 * Twilio-style error when it gave one, else `fallback` naming the service.
 */
export function clientError(error: unknown, service: string, fallback: ErrorCode): ParleyError {
  if (error instanceof ParleyError) return error;
  if (error instanceof BusRequestError) {
    const why =
      error.kind === 'no-responders'
        ? 'is not running'
        : error.kind === 'timeout'
          ? 'did not answer in time'
          : `failed: ${error.message}`;
    return new ParleyError(fallback, `The ${service} service ${why}`, { cause: error });
  }
  return new ParleyError(
    fallback,
    `The ${service} service failed: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof ParleyError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}
