import { fbtraceId } from '../sim/ids';

/** The body of every Graph API error: `{error: {...}}`. */
export interface GraphErrorEnvelope {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    fbtrace_id: string;
  };
}

/** An error the simulated Graph API answers with, in Meta's envelope. */
export class GraphError extends Error {
  override readonly name = 'GraphError';

  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    readonly type: string,
    readonly details: string | null,
    readonly subcode?: number,
  ) {
    super(message);
  }

  toEnvelope(): GraphErrorEnvelope {
    return {
      error: {
        message: this.message,
        type: this.type,
        code: this.code,
        ...(this.subcode === undefined ? {} : { error_subcode: this.subcode }),
        ...(this.details === null
          ? {}
          : { error_data: { messaging_product: 'whatsapp' as const, details: this.details } }),
        fbtrace_id: fbtraceId(),
      },
    };
  }
}

const whatsapp = (code: number, title: string, details: string, httpStatus = 400): GraphError =>
  new GraphError(httpStatus, code, `(#${code}) ${title}`, 'OAuthException', details);

/**
 * The errors the simulator produces. Codes and titles follow Meta's Cloud API where they are
 * documented or were observed (100, 131009, 138006, 138009, 190, 2500, 131026); the others
 * are Meta's calling codes as best known and flagged in the README.
 */
export const GraphErrors = {
  missingToken: (): GraphError =>
    new GraphError(
      400,
      104,
      'An access token is required to request this resource.',
      'OAuthException',
      null,
    ),
  invalidToken: (): GraphError =>
    new GraphError(
      401,
      190,
      'Invalid OAuth access token - Cannot parse access token',
      'OAuthException',
      null,
    ),
  unknownObject: (method: string, id: string): GraphError =>
    new GraphError(
      400,
      100,
      `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      'GraphMethodException',
      null,
      33,
    ),
  unknownPath: (path: string): GraphError =>
    new GraphError(400, 2500, `Unknown path components: ${path}`, 'OAuthException', null),
  invalidParameter: (details: string): GraphError => whatsapp(100, 'Invalid parameter', details),
  parameterValueInvalid: (details: string): GraphError =>
    whatsapp(131009, 'Parameter value is not valid', details),
  genericUser: (details: string): GraphError =>
    whatsapp(131000, 'Something went wrong', details, 500),
  callingNotEnabled: (): GraphError =>
    whatsapp(
      138000,
      'Calling not enabled',
      'Calling is not enabled for this business phone number.',
    ),
  concurrentCallsLimit: (limit: number): GraphError =>
    whatsapp(
      138002,
      'Concurrent calls limit reached',
      `This business phone number already has ${limit} calls in progress.`,
    ),
  duplicateCall: (): GraphError =>
    whatsapp(
      138003,
      'Duplicate call',
      'A call between this business phone number and this user is already in progress.',
    ),
  noCallPermission: (): GraphError =>
    whatsapp(
      138006,
      'No approved call permission from the recipient',
      'The WhatsApp user has not granted this business permission to call them, or the permission expired.',
    ),
  permissionRequestLimit: (): GraphError =>
    whatsapp(
      138009,
      'Call permission request limit reached',
      'Only 1 call permission request per 24 hours and 2 per 7 days can be sent to a WhatsApp user.',
    ),
  businessInitiatedCallsLimit: (limit: number): GraphError =>
    whatsapp(
      138012,
      'Business initiated calls limit reached',
      `Only ${limit} connected business-initiated calls per 24 hours are allowed to a WhatsApp user.`,
    ),
  templateExists: (name: string, language: string): GraphError =>
    new GraphError(
      400,
      100,
      'Invalid parameter',
      'OAuthException',
      `Content in this language already exists: a template named ${name} in ${language} is already in this WhatsApp Business Account.`,
      2388024,
    ),
  /** A template send naming no template of that name and language (132001). */
  templateNotFound: (name: string, language: string): GraphError =>
    whatsapp(
      132001,
      'Template name does not exist in the translation',
      `template name (${name}) does not exist in ${language}`,
      404,
    ),
  /** A template send of a template that exists but is not approved (pending, rejected...). */
  templateNotApproved: (name: string, status: string): GraphError =>
    whatsapp(
      status === 'PAUSED' ? 132015 : status === 'DISABLED' ? 132016 : 132001,
      status === 'PAUSED'
        ? 'Template is paused'
        : status === 'DISABLED'
          ? 'Template is disabled'
          : 'Template name does not exist in the translation',
      `template ${name} is ${status}, not APPROVED`,
      400,
    ),
  methodNotAllowed: (method: string, path: string): GraphError =>
    new GraphError(
      400,
      100,
      `Unsupported ${method.toLowerCase()} request on ${path}.`,
      'GraphMethodException',
      null,
    ),
};

/** The `errors[]` entry of a terminate webhook for a call that got no media (observed). */
export const NO_MEDIA_CALL_ERROR = {
  code: 138021,
  title:
    'WhatsApp client terminated the call due to not receiving any media for a long time. Please try again',
  message:
    'WhatsApp client terminated the call due to not receiving any media for a long time. Please try again',
  error_data: {
    details: 'WhatsApp client terminated the call due to not receiving any media for a long time.',
  },
} as const;
