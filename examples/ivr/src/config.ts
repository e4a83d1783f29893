/** The IVR's settings, from the environment. */
export interface IvrConfig {
  port: number;
  host: string;
  authToken: string;
  publicUrl: string;
  transferTo: string;
  defaultCallerId: string | undefined;
}

const WHATSAPP = /^whatsapp:\+[1-9]\d{6,14}$/;

/** Reads PORT, HOST, TWILIO_AUTH_TOKEN, PUBLIC_URL, TRANSFER_TO and CALLER_ID; throws on bad values. */
export function loadConfig(env: Record<string, string | undefined>): IvrConfig {
  const port = Number(env.PORT ?? '4100');
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`PORT must be a TCP port (got ${env.PORT})`);
  const authToken = env.TWILIO_AUTH_TOKEN ?? '';
  if (authToken === '')
    throw new Error('TWILIO_AUTH_TOKEN is required: the auth token of the account calling the app');
  const host = env.HOST ?? '127.0.0.1';
  const publicUrl = (env.PUBLIC_URL ?? `http://${host}:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(publicUrl))
    throw new Error(`PUBLIC_URL must be an http(s) URL (got ${publicUrl})`);
  const transferTo = env.TRANSFER_TO ?? 'whatsapp:+15550100004';
  if (!WHATSAPP.test(transferTo))
    throw new Error(`TRANSFER_TO must be whatsapp:+E.164 (got ${transferTo})`);
  const defaultCallerId = env.CALLER_ID;
  if (defaultCallerId !== undefined && !WHATSAPP.test(defaultCallerId))
    throw new Error(`CALLER_ID must be whatsapp:+E.164 (got ${defaultCallerId})`);
  return { port, host, authToken, publicUrl, transferTo, defaultCallerId };
}
