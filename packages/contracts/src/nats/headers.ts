import { headers as natsHeaders, type MsgHdrs } from 'nats';

/** NATS header carrying the correlation id (the CallSid when there is a call). */
export const CORRELATION_HEADER = 'x-correlation-id';
/** NATS header naming the service instance that sent a message. */
export const SOURCE_HEADER = 'x-parley-source';

export interface MessageMeta {
  correlationId?: string | undefined;
}

export function buildHeaders(source: string, correlationId: string | undefined): MsgHdrs {
  const h = natsHeaders();
  h.set(SOURCE_HEADER, source);
  if (correlationId) h.set(CORRELATION_HEADER, correlationId);
  return h;
}

export function readCorrelationId(h: MsgHdrs | undefined): string | undefined {
  const value = h?.get(CORRELATION_HEADER);
  return value ? value : undefined;
}
