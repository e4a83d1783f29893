import { type ErrorCode } from '@parley/contracts';

/**
 * How Meta Graph errors surface to a Twilio-style client. Meta's numeric `error.code`
 * decides; where it says nothing useful the HTTP status or the transport failure does.
 *
 * | Meta code(s)                               | Twilio code | meaning                                              |
 * | ------------------------------------------ | ----------- | ---------------------------------------------------- |
 * | 138006                                     | 37000       | no call permission from the WhatsApp user            |
 * | 138000                                     | 37008       | calling is not enabled on the business number        |
 * | 138002                                     | 37004       | the number's concurrent-calls limit is reached       |
 * | 138003                                     | 37003       | a call with this user is already in progress         |
 * | 138009                                     | 37004       | call-permission request limit reached                |
 * | 138012                                     | 37006       | connected business-initiated calls per 24 h reached  |
 * | 4, 17, 32, 613, 80007, 130429, 131056      | 37004       | rate limited (app, account, pair or throughput)      |
 * | 100, 131009                                | 21220       | invalid parameter: bad SDP, unknown or ended call id |
 * | 3, 10, 104, 190, 200-299, 131005, 131031   | 37008       | the sender's Meta token or permissions are not usable|
 * | 1, 2, 131000, 131016, any HTTP 5xx          | 20503       | Meta is failing or unavailable                       |
 * | HTTP 429 with no known code                | 37004       | rate limited                                         |
 * | timeout, connection failure                | 20503       | Meta did not answer                                  |
 * | anything else                              | 20500       | unexpected                                           |
 *
 * 138000, 138002, 138003 and 138012 are Meta's calling codes as best known (observed in
 * partner integrations, not all in Meta's public reference).
 */
export const META_ERROR_TABLE: readonly { metaCodes: readonly number[]; twilioCode: ErrorCode }[] =
  [
    { metaCodes: [138006], twilioCode: 37000 },
    { metaCodes: [138000], twilioCode: 37008 },
    { metaCodes: [138002, 138009], twilioCode: 37004 },
    { metaCodes: [138003], twilioCode: 37003 },
    { metaCodes: [138012], twilioCode: 37006 },
    { metaCodes: [4, 17, 32, 613, 80007, 130429, 131056], twilioCode: 37004 },
    { metaCodes: [100, 131009], twilioCode: 21220 },
    { metaCodes: [3, 10, 104, 190, 131005, 131031], twilioCode: 37008 },
    { metaCodes: [1, 2, 131000, 131016], twilioCode: 20503 },
  ];

export function twilioCodeForMeta(metaCode: number | undefined, httpStatus: number): ErrorCode {
  if (metaCode !== undefined) {
    for (const row of META_ERROR_TABLE) if (row.metaCodes.includes(metaCode)) return row.twilioCode;
    // 200-299 are Graph's permission errors (e.g. 200 "Permissions error").
    if (metaCode >= 200 && metaCode <= 299) return 37008;
  }
  if (httpStatus === 429) return 37004;
  if (httpStatus >= 500) return 20503;
  return 20500;
}

/**
 * Whether the request may have reached Meta: `no` for failures before the request left
 * (connection refused, DNS), `maybe` for timeouts and resets mid-flight, `yes` once Meta
 * answered. A `connect` whose outcome is `maybe` must never be blindly retried.
 */
export type DeliveryCertainty = 'no' | 'maybe' | 'yes';

export type MetaGraphErrorKind = 'api' | 'timeout' | 'network' | 'invalid-response';

/** A failed Graph API request, with what Meta said and what it means for a Twilio client. */
export class MetaGraphError extends Error {
  readonly twilioCode: ErrorCode;

  constructor(
    readonly operation: string,
    readonly kind: MetaGraphErrorKind,
    message: string,
    readonly details: {
      httpStatus?: number;
      metaCode?: number;
      metaSubcode?: number;
      fbtraceId?: string;
      sent: DeliveryCertainty;
      cause?: unknown;
    },
  ) {
    super(`Meta ${operation}: ${message}`, { cause: details.cause });
    this.name = 'MetaGraphError';
    this.twilioCode =
      kind === 'api' || kind === 'invalid-response'
        ? twilioCodeForMeta(details.metaCode, details.httpStatus ?? 0)
        : 20503;
  }

  get httpStatus(): number | undefined {
    return this.details.httpStatus;
  }
  get metaCode(): number | undefined {
    return this.details.metaCode;
  }
  get sent(): DeliveryCertainty {
    return this.details.sent;
  }
}

/** Meta's error body: `{error: {message, type, code, error_subcode, error_data, fbtrace_id}}`. */
export function parseMetaErrorBody(body: unknown): {
  message?: string;
  code?: number;
  subcode?: number;
  fbtraceId?: string;
  details?: string;
} {
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const e = error as Record<string, unknown>;
  const data = e.error_data as Record<string, unknown> | undefined;
  return {
    message: typeof e.message === 'string' ? e.message : undefined,
    code: typeof e.code === 'number' ? e.code : undefined,
    subcode: typeof e.error_subcode === 'number' ? e.error_subcode : undefined,
    fbtraceId: typeof e.fbtrace_id === 'string' ? e.fbtrace_id : undefined,
    details: typeof data?.details === 'string' ? data.details : undefined,
  };
}
