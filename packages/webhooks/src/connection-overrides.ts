/**
 * Twilio's webhook connection overrides: settings carried in the URL fragment
 * (`https://example.com/twiml#ct=1000&rt=3000&rc=2&rp=ct,5xx`). The fragment never reaches
 * the customer's server and is not signed.
 *
 * Values and defaults from Twilio's "Webhooks (HTTP callbacks): Connection Overrides"
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides):
 *   ct  connect timeout, ms       100..10000, default 5000
 *   rt  read timeout, ms          100..15000, default 15000 (first response packet and
 *                                 between packets)
 *   tt  total time, ms            100..15000, default 15000 (every attempt included)
 *   rc  retry count               0..5, default 1
 *   rp  retry policy              comma list of 4xx, 5xx, ct, rt, all; default ct
 *   e   egress edge               a Twilio edge name (ashburn, dublin, ...); Parley has one
 *                                 egress, so it is kept for logs only
 *   sni Server Name Indication    y or n; Parley sends SNI unless sni=n
 * A value that is absent or not a number falls back to the default; a number out of range
 * is clamped to the nearest bound. Each ignored or clamped setting is listed in `warnings`.
 */

export type RetryCondition = '4xx' | '5xx' | 'ct' | 'rt';

export interface ConnectionOverrides {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  totalTimeoutMs: number;
  retryCount: number;
  /** Failures worth another attempt (`all` expands to every condition). */
  retryOn: ReadonlySet<RetryCondition>;
  edge: string | null;
  sni: boolean;
}

export interface WebhookUrl {
  /** The URL without its fragment: what is requested and signed. */
  url: string;
  overrides: ConnectionOverrides;
  /** Override settings that were ignored or clamped, e.g. `ct=50 raised to 100`. */
  warnings: string[];
}

interface Bounds {
  min: number;
  max: number;
  default: number;
}

export const CONNECTION_OVERRIDE_BOUNDS = {
  ct: { min: 100, max: 10_000, default: 5000 },
  rt: { min: 100, max: 15_000, default: 15_000 },
  tt: { min: 100, max: 15_000, default: 15_000 },
  rc: { min: 0, max: 5, default: 1 },
} as const satisfies Record<string, Bounds>;

const RETRY_CONDITIONS: readonly RetryCondition[] = ['4xx', '5xx', 'ct', 'rt'];
const DEFAULT_RETRY_ON: readonly RetryCondition[] = ['ct'];
const EDGE_NAME = /^[a-z][a-z0-9-]{0,39}$/;

export const DEFAULT_CONNECTION_OVERRIDES: ConnectionOverrides = {
  connectTimeoutMs: CONNECTION_OVERRIDE_BOUNDS.ct.default,
  readTimeoutMs: CONNECTION_OVERRIDE_BOUNDS.rt.default,
  totalTimeoutMs: CONNECTION_OVERRIDE_BOUNDS.tt.default,
  retryCount: CONNECTION_OVERRIDE_BOUNDS.rc.default,
  retryOn: new Set(DEFAULT_RETRY_ON),
  edge: null,
  sni: true,
};

function boundedInteger(
  name: keyof typeof CONNECTION_OVERRIDE_BOUNDS,
  raw: string | null,
  warnings: string[],
): number {
  const bounds = CONNECTION_OVERRIDE_BOUNDS[name];
  if (raw === null) return bounds.default;
  if (!/^\d+$/.test(raw.trim())) {
    warnings.push(`${name}=${raw} is not a whole number; using ${bounds.default}`);
    return bounds.default;
  }
  const value = Number(raw.trim());
  if (value < bounds.min) {
    warnings.push(`${name}=${raw} raised to ${bounds.min}`);
    return bounds.min;
  }
  if (value > bounds.max) {
    warnings.push(`${name}=${raw} lowered to ${bounds.max}`);
    return bounds.max;
  }
  return value;
}

function retryConditions(raw: string | null, warnings: string[]): ReadonlySet<RetryCondition> {
  if (raw === null) return new Set(DEFAULT_RETRY_ON);
  const conditions = new Set<RetryCondition>();
  for (const item of raw.split(',').map((part) => part.trim().toLowerCase())) {
    if (item === 'all') RETRY_CONDITIONS.forEach((condition) => conditions.add(condition));
    else if ((RETRY_CONDITIONS as readonly string[]).includes(item)) {
      conditions.add(item as RetryCondition);
    } else warnings.push(`rp value ${JSON.stringify(item)} is not one of 4xx, 5xx, ct, rt, all`);
  }
  if (conditions.size === 0) return new Set(DEFAULT_RETRY_ON);
  return conditions;
}

/** Splits a webhook URL into the URL to request and its connection overrides. Pure. */
export function parseWebhookUrl(rawUrl: string): WebhookUrl {
  const hashAt = rawUrl.indexOf('#');
  const url = hashAt === -1 ? rawUrl : rawUrl.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : rawUrl.slice(hashAt + 1);
  const settings = new URLSearchParams(fragment);
  const warnings: string[] = [];
  for (const key of new Set(settings.keys())) {
    if (!['ct', 'rt', 'tt', 'rc', 'rp', 'e', 'sni'].includes(key)) {
      warnings.push(`unknown connection override ${JSON.stringify(key)}`);
    }
  }
  const edge = settings.get('e');
  if (edge !== null && !EDGE_NAME.test(edge)) {
    warnings.push(`e=${edge} is not an edge name`);
  }
  const sni = settings.get('sni');
  if (sni !== null && sni !== 'y' && sni !== 'n') warnings.push(`sni=${sni} is not y or n`);
  return {
    url,
    overrides: {
      connectTimeoutMs: boundedInteger('ct', settings.get('ct'), warnings),
      readTimeoutMs: boundedInteger('rt', settings.get('rt'), warnings),
      totalTimeoutMs: boundedInteger('tt', settings.get('tt'), warnings),
      retryCount: boundedInteger('rc', settings.get('rc'), warnings),
      retryOn: retryConditions(settings.get('rp'), warnings),
      edge: edge !== null && EDGE_NAME.test(edge) ? edge : null,
      sni: sni !== 'n',
    },
    warnings,
  };
}
