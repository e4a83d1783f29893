import { type Request } from 'express';

interface PublicUrlEnv {
  PARLEY_PUBLIC_URL?: string | undefined;
}

/** PARLEY_PUBLIC_URL without a trailing slash, or null when it is not configured. */
export function configuredPublicUrl(env: PublicUrlEnv): string | null {
  return env.PARLEY_PUBLIC_URL ? env.PARLEY_PUBLIC_URL.replace(/\/+$/, '') : null;
}

/** Where clients reach this service: PARLEY_PUBLIC_URL, else the request's own host. */
export function publicBaseUrl(env: PublicUrlEnv, req: Request): string {
  return configuredPublicUrl(env) ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
