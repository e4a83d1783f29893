import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import twilio from 'twilio';

/** One request the business's application received, and whether its signature held. */
export interface AppRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  validSignature: boolean;
}

export interface AppResponse {
  status?: number;
  contentType?: string;
  body: string | Buffer;
}

export type Route = (request: AppRequest) => AppResponse;

/**
 * The business's TwiML web application, as a test serves it: every request is checked
 * with the official `twilio` package's `validateRequest`, exactly as a customer's app
 * checks Twilio's, and recorded.
 */
export class TwimlApp {
  readonly requests: AppRequest[] = [];
  readonly routes = new Map<string, Route>();
  private server: Server | undefined;
  url = '';

  constructor(private readonly authToken: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then((answer) => {
        res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'text/xml' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<AppResponse> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const fullUrl = `${this.url}${req.url ?? '/'}`;
    const parsed = new URL(fullUrl);
    const method = req.method ?? 'GET';
    const form = method === 'POST' ? Object.fromEntries(new URLSearchParams(body)) : {};
    const signature = req.headers['x-twilio-signature'];
    const validSignature =
      typeof signature === 'string' &&
      twilio.validateRequest(this.authToken, signature, fullUrl, form);
    const params = method === 'POST' ? form : Object.fromEntries(parsed.searchParams);
    const request: AppRequest = { method, path: parsed.pathname, params, validSignature };
    this.requests.push(request);
    const route = this.routes.get(parsed.pathname);
    if (!route) return { status: 404, contentType: 'text/plain', body: 'not found' };
    return route(request);
  }
}

/** TwiML as the app answers it. */
export function twiml(xml: string): AppResponse {
  return { contentType: 'text/xml', body: `<?xml version="1.0" encoding="UTF-8"?>${xml}` };
}

/** A mono 16-bit PCM WAV of a pure tone, for `<Play>`: what the caller hears is measurable. */
export function toneWav(frequencyHz: number, seconds: number, sampleRate = 8_000): Buffer {
  const samples = Math.round(seconds * sampleRate);
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVE', 8);
  wav.write('fmt ', 12);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    wav.writeInt16LE(
      Math.round(12_000 * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate)),
      44 + i * 2,
    );
  }
  return wav;
}
