import { Inject, Injectable } from '@nestjs/common';
import { type AccountSid, type ErrorCode } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { parseTwiml, type TwimlDocument, type TwimlWarning } from '@parley/twiml';
import { type TwimlInterpreterEnv } from '../config/env.schema';
import { DocumentFetcher } from './document-fetcher';
import { type DocumentRequest } from './document-source';

/** Content types Twilio runs as TwiML. */
const TWIML_CONTENT_TYPES = new Set(['text/xml', 'application/xml', 'text/html']);

export type LoadResult =
  | {
      ok: true;
      document: TwimlDocument;
      /** The URL relative URLs in the document resolve against (null for inline TwiML). */
      url: string | null;
      warnings: readonly TwimlWarning[];
    }
  | { ok: false; code: ErrorCode; message: string; url: string | null };

/**
 * Turns a document request into a parsed document: fetches (then the fallback URL with
 * `ErrorCode` and `ErrorUrl` when the primary fails), checks status and Content-Type, and
 * parses, all within one budget, so a call never hangs on a missing document.
 */
@Injectable()
export class DocumentLoader {
  constructor(
    private readonly fetcher: DocumentFetcher,
    @Inject(PARLEY_ENV) private readonly env: TwimlInterpreterEnv,
  ) {}

  /**
   * `context: 'whisper'` is a `<Dial>` noun's `url` document, run on the called party:
   * only Say, Play, Pause, Gather and Hangup are allowed (12200 otherwise).
   */
  async load(
    accountSid: AccountSid,
    request: DocumentRequest,
    options: { context?: 'call' | 'whisper' } = {},
  ): Promise<LoadResult> {
    const { source } = request;
    const context = options.context ?? 'call';
    if (source.kind === 'twiml') return { ...this.parse(source.twiml, context), url: null };
    const deadline = Date.now() + this.env.TWIML_FETCH_BUDGET_MS;
    const primary = await this.fetchAndParse(accountSid, context, {
      url: source.url,
      method: source.method,
      parameters: request.parameters,
      deadline,
    });
    if (primary.ok || !source.fallback) return primary;
    const fallback = await this.fetchAndParse(accountSid, context, {
      url: source.fallback.url,
      method: source.fallback.method,
      parameters: { ...request.parameters, ErrorCode: String(primary.code), ErrorUrl: source.url },
      deadline,
    });
    // The primary's error is the one the call reports when the fallback fails too.
    return fallback.ok
      ? fallback
      : { ...primary, message: `${primary.message}; fallback: ${fallback.message}` };
  }

  private async fetchAndParse(
    accountSid: AccountSid,
    context: 'call' | 'whisper',
    req: {
      url: string;
      method: 'GET' | 'POST';
      parameters: Readonly<Record<string, string>>;
      deadline: number;
    },
  ): Promise<LoadResult> {
    const timeoutMs = req.deadline - Date.now();
    if (timeoutMs <= 0) {
      return {
        ok: false,
        code: 11200,
        message: 'no time left to fetch the document',
        url: req.url,
      };
    }
    const res = await this.fetcher.fetch({
      accountSid,
      url: req.url,
      method: req.method,
      parameters: req.parameters,
      timeoutMs,
    });
    if (!res.ok) return { ok: false, code: res.errorCode, message: res.message, url: req.url };
    if (res.status < 200 || res.status >= 300) {
      return {
        ok: false,
        code: 11200,
        message: `HTTP ${res.status} from ${req.url}`,
        url: req.url,
      };
    }
    const mediaType = (res.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (!TWIML_CONTENT_TYPES.has(mediaType)) {
      return {
        ok: false,
        code: 12300,
        message: `Content-Type ${mediaType || '(none)'} is not TwiML`,
        url: req.url,
      };
    }
    return { ...this.parse(res.body, context), url: res.finalUrl };
  }

  private parse(
    xml: string,
    context: 'call' | 'whisper',
  ):
    | { ok: true; document: TwimlDocument; warnings: readonly TwimlWarning[] }
    | { ok: false; code: ErrorCode; message: string } {
    const parsed = parseTwiml(xml, { context, numberCheck: this.env.WHATSAPP_NUMBER_CHECK });
    if (parsed.ok) return { ok: true, document: parsed.document, warnings: parsed.warnings };
    const where = parsed.error.line
      ? ` (line ${parsed.error.line}:${parsed.error.column ?? 0})`
      : '';
    return { ok: false, code: parsed.error.code, message: `${parsed.error.message}${where}` };
  }
}
