import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { greeting, type IvrOptions, menu, PATHS, recorded, transferred } from './ivr';
import { isSignedRequest } from './signature';

export interface IvrServerOptions extends IvrOptions {
  /** The account's auth token: every request's X-Twilio-Signature is checked with it. */
  authToken: string;
  /**
   * The app's URL as Parley calls it (`http://127.0.0.1:4100`): the signature covers the
   * full URL, so it must be the one configured as the VoiceUrl, not what the socket says.
   */
  publicUrl: string;
  /** Where the app says what it does (one line per event); defaults to stdout. */
  log?: (line: string) => void;
}

const MAX_BODY_BYTES = 64 * 1024;

/**
 * The IVR as a plain `node:http` server. Unsigned or wrongly signed requests get 401;
 * unknown paths 404; every answer is TwiML (or an empty 204 for the recording callback).
 */
export function createIvrServer(options: IvrServerOptions): Server {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const base = options.publicUrl.replace(/\/+$/, '');
    const url = new URL(req.url ?? '/', base);
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, 'text/plain', 'request too large');
    const params =
      method === 'POST'
        ? Object.fromEntries(new URLSearchParams(body))
        : Object.fromEntries(url.searchParams);
    const signature = req.headers['x-twilio-signature'];
    const fullUrl = `${base}${req.url ?? '/'}`;
    // A GET's parameters are in the URL, which the signature already covers.
    const signed = isSignedRequest(
      options.authToken,
      typeof signature === 'string' ? signature : undefined,
      fullUrl,
      method === 'POST' ? params : {},
    );
    if (!signed) {
      log(`refused ${method} ${url.pathname}: missing or invalid X-Twilio-Signature`);
      return send(res, 401, 'text/plain', 'invalid signature');
    }
    const call = params.CallSid ?? '-';
    switch (url.pathname) {
      case PATHS.voice:
        log(`${call} greeting (from ${params.From ?? '?'} to ${params.To ?? '?'})`);
        return twiml(res, greeting());
      case PATHS.menu:
        log(`${call} pressed ${params.Digits ?? '(nothing)'}`);
        return twiml(res, menu(params.Digits, params.To, options));
      case PATHS.recorded:
        log(
          `${call} message recorded: ${params.RecordingUrl ?? '?'} (${params.RecordingDuration ?? '?'} s)`,
        );
        return twiml(res, recorded());
      case PATHS.recordingStatus:
        log(
          `${call} recording ${params.RecordingSid ?? '?'} ${params.RecordingStatus ?? '?'}: ` +
            `${params.RecordingUrl ?? '?'} (${params.RecordingDuration ?? '?'} s)`,
        );
        return send(res, 204, 'text/plain', '');
      case PATHS.transferred:
        log(`${call} transfer ended: ${params.DialCallStatus ?? '?'}`);
        return twiml(res, transferred(params.DialCallStatus));
      default:
        return send(res, 404, 'text/plain', 'not found');
    }
  }
}

function twiml(res: ServerResponse, xml: string): void {
  send(res, 200, 'text/xml', xml);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}

/** The body as text, or undefined past MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
