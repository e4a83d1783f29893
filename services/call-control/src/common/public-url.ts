import { type Request } from 'express';

/** Where clients reach this service: PARLEY_PUBLIC_URL, else the request's own host. */
export function publicBaseUrl(
  env: { PARLEY_PUBLIC_URL?: string | undefined },
  req: Request,
): string {
  if (env.PARLEY_PUBLIC_URL) return env.PARLEY_PUBLIC_URL.replace(/\/+$/, '');
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
