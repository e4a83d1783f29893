import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { baseEnvSchema, cidrListEnv } from '@parley/nest-kit';
import {
  RECORDING_STORAGE_SETTINGS_MESSAGE,
  recordingStorageEnvShape,
  recordingStorageSettingsComplete,
} from '@parley/recording-storage';
import { z } from 'zod';

const ipAddress = z.string().refine((v) => isIP(v) !== 0, 'must be an IPv4 or IPv6 address');
const port = z.coerce.number().int().min(1024).max(65_535);

/** `host:port` (IPv6 hosts in brackets). */
const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port')
  .transform((v) => {
    const i = v.lastIndexOf(':');
    return { host: v.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(v.slice(i + 1)) };
  });

const interfaceName = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{0,32}$/, 'letters, digits, - and _ only (empty: no direction flag)');

export const envSchema = baseEnvSchema({ httpPort: 3004 })
  .extend({
    /**
     * The mediasoup worker binary. mediasoup reads this variable itself when it starts a
     * worker; `./dev` builds the binary offline and sets it.
     */
    MEDIASOUP_WORKER_BIN: z
      .string({ required_error: 'must point to the mediasoup-worker binary (./dev builds it)' })
      .min(1)
      .refine((p) => existsSync(p), 'no file at this path'),
    /** One mediasoup Worker per core by default. */
    MEDIASOUP_NUM_WORKERS: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
    MEDIASOUP_RTC_MIN_PORT: z.coerce.number().int().min(1024).max(65_535).default(40_000),
    MEDIASOUP_RTC_MAX_PORT: z.coerce.number().int().min(1024).max(65_535).default(49_999),
    MEDIASOUP_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
    /**
     * Where mediasoup's PlainTransports listen for rtpengine's plain RTP (the inner side of
     * every WhatsApp leg). Loopback when rtpengine runs beside the service.
     */
    MEDIA_PLAIN_LISTEN_IP: ipAddress.default('127.0.0.1'),

    // ---- the WhatsApp edge (rtpengine) ---------------------------------------------------
    /**
     * An rtpengine already running elsewhere (`host:port` of its ng listener). Unset: the
     * service spawns and supervises its own rtpengine.
     */
    RTPENGINE_NG_ADDRESS: hostPort.optional(),
    /** The rtpengine binary (spawn mode). Debian's `rtpengine-daemon` installs it here. */
    RTPENGINE_BIN: z.string().min(1).default('/usr/bin/rtpengine'),
    /** UDP port of the spawned rtpengine's ng listener on 127.0.0.1; 0 picks a free one. */
    RTPENGINE_NG_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
    /** Address the spawned rtpengine receives WhatsApp media on. */
    RTPENGINE_INTERFACE: ipAddress.default('127.0.0.1'),
    /** Public address written into the SDP instead of RTPENGINE_INTERFACE (1:1 NAT). */
    RTPENGINE_ANNOUNCED_ADDRESS: ipAddress.optional(),
    RTPENGINE_PORT_MIN: port.default(30_000),
    RTPENGINE_PORT_MAX: port.default(39_999),
    /** syslog level of the spawned rtpengine's log (forwarded into this service's log). */
    RTPENGINE_LOG_LEVEL: z.coerce.number().int().min(0).max(7).default(4),
    /** Worker threads of the spawned rtpengine (rtpengine's default: one per core, >= 4). */
    RTPENGINE_NUM_THREADS: z.coerce.number().int().min(1).max(256).optional(),
    /** The spawned rtpengine drops a call after this long without any media. */
    RTPENGINE_MEDIA_TIMEOUT_SEC: z.coerce.number().int().min(5).max(3600).default(60),
    /**
     * rtpengine logical interface names for the ng `direction` flag: the WhatsApp-facing
     * one and the one facing mediasoup. The spawned rtpengine defines them; an external
     * one must define the same names (or set both empty to send no direction).
     */
    RTPENGINE_WHATSAPP_INTERFACE: interfaceName.default('whatsapp'),
    RTPENGINE_INTERNAL_INTERFACE: interfaceName.default('internal'),
    /** Per-attempt timeout and retries of ng commands (retries reuse the cookie). */
    RTPENGINE_NG_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(1_000),
    RTPENGINE_NG_RETRIES: z.coerce.number().int().min(0).max(10).default(2),

    // ---- WhatsApp legs ---------------------------------------------------------------------
    /**
     * DTLS role offered to WhatsApp on business-initiated calls: `actpass` lets Meta's
     * ICE-lite answer pick (it answers passive, so rtpengine is the client); `active` makes
     * the offer claim the client role up front.
     */
    WHATSAPP_OFFER_SETUP: z.enum(['actpass', 'active']).default('actpass'),
    /** A leg with no media this long after its SDP exchange failed (ICE/DTLS never completed). */
    LEG_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(20_000),
    /** A connected leg that receives nothing this long failed (WhatsApp sends even in silence). */
    LEG_MEDIA_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
    /**
     * How long an instance's lease lasts unless renewed (renewed three times per period).
     * Once it lapses the instance counts as dead and a peer fails its open legs, so the
     * calls end instead of staying up with no media.
     */
    MEDIA_INSTANCE_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    // ---- prompts ---------------------------------------------------------------------------
    /**
     * Private networks `<Play>` URLs may point to anyway (comma-separated CIDRs, e.g.
     * `127.0.0.1/32` for local development). Empty: private, loopback, link-local and
     * metadata addresses are refused (SSRF protection).
     */
    MEDIA_FETCH_ALLOW_PRIVATE_NETWORKS: cidrListEnv(),
    /** Decoded prompt audio (speech, files) kept in memory, in MiB. */
    MEDIA_PROMPT_CACHE_MB: z.coerce.number().int().min(0).max(65_536).default(64),
    /** The espeak-ng executable for `<Say>`. */
    MEDIA_TTS_COMMAND: z.string().min(1).default('espeak-ng'),
    // ---- media streams (<Stream>) ---------------------------------------------------------
    /**
     * Private networks a `<Stream url>` may point to anyway (comma-separated CIDRs, e.g.
     * `127.0.0.1/32` for an agent on the same machine). Empty: refused (SSRF protection).
     */
    MEDIA_STREAM_ALLOW_PRIVATE_NETWORKS: cidrListEnv(),
    /** The WebSocket handshake (DNS, TCP, TLS, upgrade) of a stream must finish within this. */
    MEDIA_STREAM_HANDSHAKE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    // ---- recordings ------------------------------------------------------------------------
    ...recordingStorageEnvShape,
    /** Directory of recordings being written (the OS temp dir by default). */
    RECORDINGS_TMP_DIR: z.string().min(1).optional(),
    /** Sample rate of stored WAVs; WhatsApp audio is wideband, so 16 kHz keeps all of it. */
    RECORDINGS_SAMPLE_RATE: z.coerce.number().int().min(8_000).max(48_000).default(16_000),
    /** Most legs this instance carries at once; more are refused with 20503. */
    MEDIA_MAX_LEGS: z.coerce.number().int().min(1).max(100_000).default(2_000),
  })
  .refine(
    (e) => e.MEDIASOUP_RTC_MAX_PORT - e.MEDIASOUP_RTC_MIN_PORT + 1 >= e.MEDIASOUP_NUM_WORKERS * 2,
    {
      path: ['MEDIASOUP_RTC_MAX_PORT'],
      message: 'the RTC port range must give every worker at least two ports',
    },
  )
  .refine((e) => e.RTPENGINE_PORT_MAX - e.RTPENGINE_PORT_MIN >= 10, {
    path: ['RTPENGINE_PORT_MAX'],
    message: 'the rtpengine port range must hold at least 10 ports',
  })
  .refine((e) => e.RTPENGINE_NG_ADDRESS !== undefined || existsSync(e.RTPENGINE_BIN), {
    path: ['RTPENGINE_BIN'],
    message: 'no rtpengine binary here (install rtpengine-daemon, or set RTPENGINE_NG_ADDRESS)',
  })
  .refine(recordingStorageSettingsComplete, {
    path: ['RECORDINGS_STORAGE'],
    message: RECORDING_STORAGE_SETTINGS_MESSAGE,
  })
  .refine(
    (e) => (e.RTPENGINE_WHATSAPP_INTERFACE === '') === (e.RTPENGINE_INTERNAL_INTERFACE === ''),
    {
      path: ['RTPENGINE_INTERNAL_INTERFACE'],
      message: 'set both rtpengine interface names, or neither',
    },
  );
export type MediaEnv = z.infer<typeof envSchema>;
