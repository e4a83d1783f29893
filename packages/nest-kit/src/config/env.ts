import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { NATS_NAMESPACE_PATTERN, NATS_NAMESPACE_RULE } from '@parley/contracts';
import { z } from 'zod';

const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|KEY|CREDENTIAL/i;

/** A configuration that cannot start the service; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: readonly { variable: string; message: string }[],
  ) {
    super(
      `${service}: invalid configuration\n` +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL');

const natsUrls = z
  .string()
  .min(1)
  .refine(
    (v) => v.split(',').every((u) => /^(nats|tls|ws|wss):\/\/[^\s]+$/.test(u.trim())),
    'must be one or more comma-separated nats:// URLs',
  );

const port = z.coerce
  .number({ invalid_type_error: 'must be a port number' })
  .int()
  .min(0)
  .max(65_535);

/**
 * A comma-separated list of CIDRs (`127.0.0.1/32,10.0.0.0/8`), blanks dropped: the
 * operator allow-lists of the outbound-URL policy (TwiML, `<Play>` audio, callbacks).
 */
export function cidrListEnv() {
  return z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine(
      (list) =>
        list.every((c) => /^[0-9a-fA-F.:]+\/\d{1,3}$/.test(c) && isIP(c.split('/')[0] ?? '') !== 0),
      'must be comma-separated CIDRs such as 127.0.0.1/32',
    );
}

/**
 * Variables every service reads. Each service extends this with its own and gives its own
 * HTTP port default, so that all services run side by side on one machine.
 */
export function baseEnvSchema(defaults: { httpPort: number }) {
  return z.object({
    /**
     * Production unless told otherwise: development conveniences (a publicly known
     * secrets key, for one) need NODE_ENV=development (or test) set explicitly.
     */
    NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    HTTP_PORT: port.default(defaults.httpPort),
    /**
     * When set, `/metrics` and `/statusz` are served on this port only (bound to
     * INTERNAL_HTTP_HOST) and the public port answers 404 for them. 0 picks a free port.
     */
    INTERNAL_HTTP_PORT: port.optional(),
    INTERNAL_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/parley'),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    NATS_URL: natsUrls.default('nats://127.0.0.1:4222'),
    /** NATS authentication: user and password, or a token, or a `.creds` file (JWT + nkey). */
    NATS_USER: z.string().min(1).optional(),
    NATS_PASSWORD: z.string().min(1).optional(),
    NATS_TOKEN: z.string().min(1).optional(),
    NATS_CREDS_FILE: z.string().min(1).optional(),
    /** TLS to NATS: a CA to trust, and a client certificate and key for mutual TLS. */
    NATS_TLS_CA_FILE: z.string().min(1).optional(),
    NATS_TLS_CERT_FILE: z.string().min(1).optional(),
    NATS_TLS_KEY_FILE: z.string().min(1).optional(),
    /** Require TLS even when the URL says nats:// (tls:// URLs always do). */
    NATS_TLS: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /**
     * Prefix of every NATS subject, stream and durable consumer of this deployment, so
     * several deployments (or test runs) share one NATS without meeting. Empty: none.
     */
    PARLEY_NATS_NAMESPACE: z
      .string()
      .default('')
      .refine((v) => v === '' || NATS_NAMESPACE_PATTERN.test(v), NATS_NAMESPACE_RULE),
    /** Default timeout of NATS request/reply commands, in milliseconds. */
    NATS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5_000),
    /** How long a stopping instance may finish in-flight work before it exits. */
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
    INSTANCE_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  });
}
export type BaseEnv = z.infer<ReturnType<typeof baseEnvSchema>>;

/**
 * Parses the environment once, at start. Values of variables whose names look secret
 * are never echoed back in the error.
 */
export function loadEnv<S extends z.ZodTypeAny>(
  service: string,
  schema: S,
  source: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const parsed = schema.safeParse(source);
  if (parsed.success) return parsed.data as z.infer<S>;
  const problems = parsed.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const raw = source[variable];
    const shown =
      raw === undefined ? 'unset' : SECRET_NAME.test(variable) ? 'value hidden' : `got "${raw}"`;
    return { variable, message: `${issue.message} (${shown})` };
  });
  throw new ConfigError(service, problems);
}
