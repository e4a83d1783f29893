import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

export interface SimRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

export interface SimResponse {
  status: number;
  /** Serialised as JSON unless `body` is given. */
  json?: unknown;
  body?: Buffer | string;
  contentType?: string;
}

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new BodyTooLargeError(`request body over ${limitBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function writeResponse(res: ServerResponse, response: SimResponse): void {
  const body =
    response.body !== undefined
      ? response.body
      : response.json === undefined
        ? ''
        : JSON.stringify(response.json);
  res.statusCode = response.status;
  res.setHeader(
    'content-type',
    response.contentType ??
      (response.body !== undefined
        ? 'application/octet-stream'
        : 'application/json; charset=utf-8'),
  );
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/** Parses a JSON body; an empty body is `{}`. Throws SyntaxError on bad JSON. */
export function jsonBody(req: SimRequest): unknown {
  if (req.rawBody.length === 0) return {};
  return JSON.parse(req.rawBody.toString('utf8')) as unknown;
}

export interface Route<Ctx> {
  method: string;
  pattern: RegExp;
  handler: (
    req: SimRequest,
    params: Record<string, string>,
    ctx: Ctx,
  ) => Promise<SimResponse> | SimResponse;
}

/** Finds the route for a request; `methodMismatch` when the path exists with another method. */
export function matchRoute<Ctx>(
  routes: Array<Route<Ctx>>,
  method: string,
  path: string,
): { route: Route<Ctx>; params: Record<string, string> } | 'methodMismatch' | null {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(match.groups ?? {}))
      params[key] = decodeURIComponent(value);
    return { route, params };
  }
  return pathMatched ? 'methodMismatch' : null;
}
