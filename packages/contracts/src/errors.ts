/**
 * Twilio-style error codes Parley reports, with the HTTP status used when the error
 * answers a REST request. The numbers are Twilio's where Twilio has one, so that a
 * business's existing error handling keeps working.
 */
export const ERROR_CODES = {
  // 11xxx: fetching customer URLs
  11100: { status: 400, message: 'Invalid URL format' },
  11200: { status: 502, message: 'HTTP retrieval failure' },
  11205: { status: 502, message: 'HTTP connection failure' },
  11210: { status: 502, message: 'HTTP bad host name' },
  11215: { status: 502, message: 'HTTP too many redirects' },
  11220: { status: 502, message: 'SSL/TLS Handshake Error' },
  11235: { status: 502, message: 'Certificate Invalid - Domain Mismatch' },
  11236: { status: 502, message: 'Certificate Invalid - Certificate Expired' },
  11237: { status: 502, message: 'Certificate Invalid - Could not find path to certificate' },
  11750: { status: 400, message: 'TwiML response body too large' },
  // 12xxx: TwiML documents
  12100: { status: 400, message: 'Document parse failure' },
  12200: { status: 400, message: 'Schema validation warning' },
  12300: { status: 400, message: 'Invalid Content-Type' },
  // 13xxx: verb-specific
  13212: { status: 400, message: 'Dial: Invalid callerId value' },
  13215: { status: 400, message: 'Dial: Invalid nested element' },
  13750: { status: 400, message: 'Twiml verb not supported in this version of the API' },
  // 20xxx: REST API
  20001: { status: 400, message: 'Unknown parameter' },
  20003: { status: 401, message: 'Authentication Error - invalid username' },
  20004: { status: 405, message: 'Method not allowed' },
  20404: { status: 404, message: 'The requested resource was not found' },
  20429: { status: 429, message: 'Too Many Requests' },
  20500: { status: 500, message: 'Internal Server Error' },
  20503: { status: 503, message: 'Service Unavailable' },
  // 21xxx: call parameters
  21201: { status: 400, message: 'No called number is specified' },
  21205: { status: 400, message: 'Url parameter is not a valid URL' },
  21210: { status: 400, message: "'From' phone number not verified" },
  21211: { status: 400, message: "Invalid 'To' Phone Number" },
  21212: { status: 400, message: "Invalid 'From' Phone Number" },
  21213: { status: 400, message: "'From' phone number is required" },
  21220: { status: 400, message: 'Invalid call state' },
  21609: { status: 400, message: 'Invalid StatusCallbackUrl' },
  // 319xx: Media Streams (<Stream>)
  31920: { status: 502, message: 'Stream - WebSocket - Handshake Error' },
  31921: { status: 502, message: 'Stream - WebSocket - Close Error' },
  31924: { status: 502, message: 'Stream - WebSocket - Protocol Error' },
  31941: { status: 400, message: 'Stream - Invalid Track configuration' },
  31951: { status: 400, message: 'Stream - Protocol - Invalid Message' },
  // 21xxx / 63xxx: messages (Programmable Messaging over WhatsApp)
  21602: { status: 400, message: 'Message body is required' },
  21603: { status: 400, message: "A 'From' phone number is required" },
  21604: { status: 400, message: "A 'To' phone number is required" },
  21617: { status: 400, message: 'The concatenated message body exceeds the 1600 character limit' },
  21619: { status: 400, message: 'A text message body or media urls must be specified' },
  21655: { status: 400, message: 'The ContentSid is Invalid' },
  21656: { status: 400, message: 'The ContentVariables Parameter is invalid' },
  30008: { status: 400, message: 'Unknown error' },
  63001: { status: 400, message: 'Channel could not authenticate the request' },
  63003: { status: 400, message: 'Channel could not find To address' },
  63005: { status: 400, message: 'Channel did not accept given content' },
  63007: {
    status: 400,
    message: 'Twilio could not find a Channel with the specified From address',
  },
  63016: {
    status: 400,
    message:
      'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
  },
  63018: { status: 429, message: 'Rate limit exceeded for Channel' },
  // Twilio's code for a template WhatsApp has no approved version of (its error mapping
  // pairs it with WhatsApp's "template does not exist"): https://www.twilio.com/docs/errors/63027
  63027: { status: 400, message: 'Template does not exist for a language and locale' },
  // 37xxx: WhatsApp voice
  37000: { status: 400, message: 'WhatsApp call permission not granted' },
  37003: { status: 409, message: 'Duplicate WhatsApp call in progress' },
  37004: { status: 429, message: 'WhatsApp call rate limit exceeded' },
  37006: { status: 429, message: 'WhatsApp connected calls limit in 24 hours exceeded' },
  37007: { status: 400, message: 'WhatsApp calling not available in this country' },
  37008: { status: 400, message: "Invalid WhatsApp 'From' sender" },
  37009: { status: 400, message: 'No voice application configured on the WhatsApp sender' },
  // 53xxx: media negotiation and connectivity (Twilio's Voice/Video media errors)
  53401: { status: 502, message: 'Server is unable to create or apply a local media description' },
  53403: { status: 400, message: 'Server is unable to apply a remote media description' },
  53405: { status: 502, message: 'Media connection failed or Media activity ceased' },
} as const satisfies Record<number, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function moreInfoUrl(code: ErrorCode): string {
  return `https://www.twilio.com/docs/errors/${code}`;
}

/** Twilio's REST error body. */
export interface TwilioErrorBody {
  code: ErrorCode;
  message: string;
  more_info: string;
  status: number;
}

/**
 * An error with a Twilio-style code. Thrown by domain code; one filter per transport
 * (HTTP, NATS) turns it into the wire shape.
 */
export class ParleyError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message ?? ERROR_CODES[code].message, { cause: options?.cause });
    this.name = 'ParleyError';
    this.status = options?.status ?? ERROR_CODES[code].status;
  }

  toTwilioBody(): TwilioErrorBody {
    return {
      code: this.code,
      message: this.message,
      more_info: moreInfoUrl(this.code),
      status: this.status,
    };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'number' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
