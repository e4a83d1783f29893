import { z } from 'zod';

/**
 * Twilio's Media Streams WebSocket protocol, as agent frameworks (Pipecat's
 * TwilioFrameSerializer, OpenAI Realtime bridges) expect it: JSON text messages, numbers
 * as strings where Twilio sends strings (`sequenceNumber`, `chunk`, `timestamp`), audio as
 * base64, 20 ms per `media` message (160 bytes of 8 kHz mu-law unless the wideband opt-in).
 */

/** Track names inside messages (Twilio's TwiML says `inbound_track`, messages `inbound`). */
export type WireTrack = 'inbound' | 'outbound';

export interface StreamIdentity {
  streamSid: string;
  accountSid: string;
  callSid: string;
}

export interface StartInfo extends StreamIdentity {
  tracks: WireTrack[];
  customParameters: Record<string, string>;
  /** Twilio's is `{encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1}`. */
  mediaFormat: { encoding: string; sampleRate: number; channels: number };
}

/** Builds the messages Parley sends, numbering them as Twilio does (from 1, after `connected`). */
export class StreamMessageWriter {
  private sequence = 0;
  private readonly chunks: Record<WireTrack, number> = { inbound: 0, outbound: 0 };

  constructor(private readonly id: StreamIdentity) {}

  connected(): string {
    return JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  }

  start(info: StartInfo): string {
    return JSON.stringify({
      event: 'start',
      sequenceNumber: this.next(),
      start: {
        accountSid: info.accountSid,
        streamSid: info.streamSid,
        callSid: info.callSid,
        tracks: info.tracks,
        customParameters: info.customParameters,
        mediaFormat: info.mediaFormat,
      },
      streamSid: this.id.streamSid,
    });
  }

  /** One chunk of audio; `timestampMs` from the start of the stream. */
  media(track: WireTrack, timestampMs: number, payload: Uint8Array): string {
    return JSON.stringify({
      event: 'media',
      sequenceNumber: this.next(),
      media: {
        track,
        chunk: String(++this.chunks[track]),
        timestamp: String(Math.max(0, Math.round(timestampMs))),
        payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString(
          'base64',
        ),
      },
      streamSid: this.id.streamSid,
    });
  }

  /** A mark the server sent, echoed once the audio before it has been played. */
  mark(name: string): string {
    return JSON.stringify({
      event: 'mark',
      sequenceNumber: this.next(),
      streamSid: this.id.streamSid,
      mark: { name },
    });
  }

  dtmf(digit: string): string {
    return JSON.stringify({
      event: 'dtmf',
      streamSid: this.id.streamSid,
      sequenceNumber: this.next(),
      dtmf: { track: 'inbound_track', digit },
    });
  }

  stop(): string {
    return JSON.stringify({
      event: 'stop',
      sequenceNumber: this.next(),
      stop: { accountSid: this.id.accountSid, callSid: this.id.callSid },
      streamSid: this.id.streamSid,
    });
  }

  private next(): string {
    return String(++this.sequence);
  }
}

/** At most this much audio in one `media` message from the server (Twilio has no limit; 10 s). */
const MAX_PAYLOAD_BASE64 = Math.ceil((16_000 * 2 * 10 * 4) / 3) + 4;

const ServerMedia = z.object({
  event: z.literal('media'),
  streamSid: z.string().optional(),
  media: z.object({ payload: z.string().max(MAX_PAYLOAD_BASE64) }),
});
const ServerMark = z.object({
  event: z.literal('mark'),
  streamSid: z.string().optional(),
  mark: z.object({ name: z.string().max(256) }),
});
const ServerClear = z.object({ event: z.literal('clear'), streamSid: z.string().optional() });

export type ServerMessage =
  { event: 'media'; audio: Buffer } | { event: 'mark'; name: string } | { event: 'clear' };

export type ParsedServerMessage =
  | { ok: true; message: ServerMessage }
  /** Not one of Twilio's server messages: ignored, as Twilio ignores unknown events. */
  | { ok: true; message: null }
  | { ok: false; error: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * One text message from the server (a bidirectional stream). A message for another
 * stream, or malformed JSON or fields, is an error the caller reports (31951).
 */
export function parseServerMessage(text: string, streamSid: string): ParsedServerMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'the message is not JSON' };
  }
  if (typeof json !== 'object' || json === null || !('event' in json)) {
    return { ok: false, error: 'the message has no event' };
  }
  const event = json.event;
  const schema =
    event === 'media'
      ? ServerMedia
      : event === 'mark'
        ? ServerMark
        : event === 'clear'
          ? ServerClear
          : null;
  if (schema === null) return { ok: true, message: null };
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${String(event)}: ${issue?.path.join('.')} ${issue?.message}` };
  }
  const message = parsed.data;
  if (message.streamSid !== undefined && message.streamSid !== streamSid) {
    return { ok: false, error: `${message.event} is for another stream (${message.streamSid})` };
  }
  switch (message.event) {
    case 'media': {
      const { payload } = message.media;
      if (!BASE64.test(payload) || payload.length % 4 !== 0) {
        return { ok: false, error: 'media: payload is not base64' };
      }
      return { ok: true, message: { event: 'media', audio: Buffer.from(payload, 'base64') } };
    }
    case 'mark':
      return { ok: true, message: { event: 'mark', name: message.mark.name } };
    case 'clear':
      return { ok: true, message: { event: 'clear' } };
  }
}
