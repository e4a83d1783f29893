import { readFileSync } from 'node:fs';
import http from 'node:http';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { join } from 'node:path';
import { ParleyError } from '@parley/contracts';
import { closeMp3Decoder } from '../mp3';
import { FRAME_SAMPLES, concatInt16 } from '../pcm';
import { PcmCache } from '../pcm-cache';
import { type AudioEngines, loopPrompt, renderPrompt } from '../prompt-renderer';
import { dominantFrequency, generateTone } from '../tones';
import { EspeakTts } from '../tts/espeak';
import { linearToMuLaw } from '../g711';
import { encodeWav } from '../wav';
import { FetchError } from '@parley/webhooks';
import { UrlAudioLoader, type UrlAudioLoaderOptions } from './url-audio';

// A real HTTP server on 127.0.0.1 serving generated WAV files and LAME-encoded MP3 fixtures.

const fixtures = join(__dirname, '..', '__fixtures__');

function muLawWav(samples: Int16Array, rate: number): Buffer {
  const data = Buffer.from(Array.from(samples, (s) => linearToMuLaw(s)));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(7, 20); // WAVE_FORMAT_MULAW
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

function stereoWav(freq: number, rate: number, ms: number): Buffer {
  const mono = generateTone(freq, ms, { sampleRate: rate, amplitude: 0.4 });
  const stereo = new Int16Array(mono.length * 2);
  mono.forEach((s, i) => {
    stereo[2 * i] = s;
    stereo[2 * i + 1] = s;
  });
  return encodeWav(stereo, rate, 2);
}

const files: Record<string, { type: string; body: Buffer }> = {
  '/tone.wav': {
    type: 'audio/wav',
    body: encodeWav(generateTone(440, 1000, { sampleRate: 8000, amplitude: 0.4 }), 8000),
  },
  '/stereo.wav': { type: 'audio/x-wav', body: stereoWav(880, 44_100, 1000) },
  '/ulaw.wav': {
    type: 'audio/basic',
    body: muLawWav(generateTone(1000, 1000, { sampleRate: 8000, amplitude: 0.4 }), 8000),
  },
  '/mislabelled.wav': {
    type: 'text/plain',
    body: encodeWav(generateTone(600, 500, { sampleRate: 16_000 }), 16_000),
  },
  '/tone.mp3': {
    type: 'audio/mpeg',
    body: readFileSync(join(fixtures, 'tone-440hz-44100-mono-32k.mp3')),
  },
  '/stereo.mp3': {
    type: 'audio/mpeg',
    body: readFileSync(join(fixtures, 'tone-660hz-22050-stereo-48k.mp3')),
  },
  '/page.html': { type: 'text/html', body: Buffer.from('<html><body>Not audio</body></html>') },
  '/fake.mp3': {
    type: 'audio/mpeg',
    body: Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]),
  },
};

let server: http.Server;
let base: string;
let port: number;
const hits = new Map<string, number>();
let notModified = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const file = files[path];
    if (file) {
      res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length });
      res.end(file.body);
      return;
    }
    const redirect = /^\/redirect\/(\d+)$/.exec(path);
    if (redirect) {
      const n = Number(redirect[1]);
      res.writeHead(302, { location: n > 1 ? `/redirect/${n - 1}` : '/tone.wav' });
      res.end();
      return;
    }
    switch (path) {
      case '/to-loopback':
        res.writeHead(301, { location: `http://127.0.0.2:${port}/tone.wav` });
        return void res.end();
      case '/to-metadata':
        res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' });
        return void res.end();
      case '/slow':
        res.writeHead(200, { 'content-type': 'audio/wav' });
        res.write(files['/tone.wav']?.body.subarray(0, 100));
        return; // never ends
      case '/big':
        res.writeHead(200, { 'content-type': 'audio/wav' });
        res.end(Buffer.alloc(300_000));
        return;
      case '/max-age':
        res.writeHead(200, { 'content-type': 'audio/wav', 'cache-control': 'public, max-age=600' });
        return void res.end(files['/tone.wav']?.body);
      case '/etag':
        if (req.headers['if-none-match'] === '"v1"') {
          notModified++;
          res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=0' });
          return void res.end();
        }
        res.writeHead(200, {
          'content-type': 'audio/wav',
          etag: '"v1"',
          'cache-control': 'max-age=0',
        });
        return void res.end(files['/tone.wav']?.body);
      case '/no-store':
        res.writeHead(200, { 'content-type': 'audio/wav', 'cache-control': 'no-store' });
        return void res.end(files['/tone.wav']?.body);
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await closeMp3Decoder();
});

beforeEach(() => {
  hits.clear();
  notModified = 0;
});

const loader = (options: UrlAudioLoaderOptions = {}): UrlAudioLoader =>
  new UrlAudioLoader({ allowPrivateNetworks: ['127.0.0.1/32'], ...options });

async function failure(promise: Promise<unknown>): Promise<ParleyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ParleyError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('URL prompts: decoding', () => {
  it.each([
    ['/tone.wav', 440, 1000],
    ['/stereo.wav', 880, 1000],
    ['/ulaw.wav', 1000, 1000],
    ['/mislabelled.wav', 600, 500],
    ['/tone.mp3', 440, 1000],
    ['/stereo.mp3', 660, 1000],
  ])('plays %s at %i Hz as 48 kHz mono', async (path, freq, ms) => {
    const pcm = await loader().load(`${base}${path}`);
    const seconds = pcm.length / 48_000;
    expect(seconds).toBeGreaterThan((ms / 1000) * 0.95);
    expect(seconds).toBeLessThan((ms / 1000) * 1.1);
    expect(dominantFrequency(pcm)).toBeCloseTo(freq, 0);
  });

  it('refuses content that is not audio with 12300', async () => {
    const html = await failure(loader().load(`${base}/page.html`));
    expect(html.code).toBe(12300);
    expect(html.message).toContain('text/html');
    expect((await failure(loader().load(`${base}/fake.mp3`))).code).toBe(12300);
  });

  it('refuses audio longer than allowed with 11200', async () => {
    expect((await failure(loader({ maxDurationSec: 0.5 }).load(`${base}/tone.wav`))).code).toBe(
      11200,
    );
    expect((await failure(loader({ maxDurationSec: 0.5 }).load(`${base}/tone.mp3`))).code).toBe(
      11200,
    );
  });
});

describe('URL prompts: HTTP failures', () => {
  it('maps a 404 to 11200', async () => {
    const error = await failure(loader().load(`${base}/missing.wav`));
    expect(error).toBeInstanceOf(FetchError);
    expect(error.code).toBe(11200);
    expect((error as FetchError).httpStatus).toBe(404);
  });

  it('follows up to 5 redirects and refuses a 6th', async () => {
    const pcm = await loader().load(`${base}/redirect/5`);
    expect(dominantFrequency(pcm)).toBeCloseTo(440, 0);
    const error = await failure(loader().load(`${base}/redirect/6`));
    expect(error.code).toBe(11200);
    expect((error as FetchError).failure).toBe('too-many-redirects');
  });

  it('times out a server that never finishes, with 11205', async () => {
    const error = await failure(loader({ totalTimeoutMs: 300 }).load(`${base}/slow`));
    expect(error.code).toBe(11205);
    expect((error as FetchError).failure).toBe('timeout');
  });

  it('gives up on a connection whose TLS handshake never completes, with 11205', async () => {
    // Accepts TCP, never answers the ClientHello: only the connect timeout can end this.
    const sockets: Socket[] = [];
    const mute = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const mutePort = (mute.address() as AddressInfo).port;
    try {
      const error = await failure(
        loader({ connectTimeoutMs: 200 }).load(`https://127.0.0.1:${mutePort}/tone.wav`),
      );
      expect(error.code).toBe(11205);
      expect((error as FetchError).failure).toBe('connect');
      expect(error.message).toContain('no connection within 200 ms');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
  });

  it('fails to connect to a dead port with 11205', async () => {
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise((resolve) => dead.close(resolve));
    const error = await failure(loader().load(`http://127.0.0.1:${deadPort}/x.wav`));
    expect(error.code).toBe(11205);
    expect((error as FetchError).failure).toBe('connect');
  });

  it('stops reading a body over the size limit, with 11200', async () => {
    const error = await failure(loader({ maxBytes: 100_000 }).load(`${base}/big`));
    expect(error.code).toBe(11200);
    expect((error as FetchError).failure).toBe('too-large');
  });

  it('refuses malformed and non-http URLs with 11100', async () => {
    for (const url of [
      'not a url',
      'file:///etc/passwd',
      'ftp://example.com/a.wav',
      'gopher://x',
    ]) {
      expect((await failure(loader().load(url))).code).toBe(11100);
    }
  });
});

describe('URL prompts: SSRF protection', () => {
  const strict = (options: UrlAudioLoaderOptions = {}): UrlAudioLoader =>
    new UrlAudioLoader(options);

  it.each([
    'http://10.0.0.1/prompt.wav',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/prompt.wav',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://0.0.0.0/prompt.wav',
    'http://192.168.1.1/prompt.wav',
  ])('refuses %s before connecting', async (url) => {
    const error = await failure(strict().load(url));
    expect(error.code).toBe(11205);
    expect((error as FetchError).failure).toBe('blocked-address');
  });

  it('refuses loopback unless allow-listed, without sending a request', async () => {
    const error = await failure(strict().load(`${base}/tone.wav`));
    expect((error as FetchError).failure).toBe('blocked-address');
    expect(hits.get('/tone.wav')).toBeUndefined();
    await expect(loader().load(`${base}/tone.wav`)).resolves.toBeInstanceOf(Int16Array);
    expect(hits.get('/tone.wav')).toBe(1);
  });

  it('re-checks every redirect hop: loopback and metadata targets are refused', async () => {
    const toLoopback = await failure(loader().load(`${base}/to-loopback`));
    expect((toLoopback as FetchError).failure).toBe('blocked-address');
    expect(toLoopback.message).toContain('127.0.0.2');
    const toMetadata = await failure(loader().load(`${base}/to-metadata`));
    expect((toMetadata as FetchError).failure).toBe('blocked-address');
    expect(toMetadata.message).toContain('169.254.169.254');
  });

  it('checks resolved addresses: a public-looking name pointing inside is refused', async () => {
    const resolve = (host: string) =>
      Promise.resolve(
        host === 'internal.example.com'
          ? [{ address: '10.0.0.5', family: 4 as const }]
          : [
              { address: '93.184.216.34', family: 4 as const },
              { address: '127.0.0.1', family: 4 as const },
            ],
      );
    const inside = await failure(strict({ resolve }).load('http://internal.example.com/a.wav'));
    expect((inside as FetchError).failure).toBe('blocked-address');
    const mixed = await failure(strict({ resolve }).load('http://rebind.example.com/a.wav'));
    expect((mixed as FetchError).failure).toBe('blocked-address');
  });

  it('connects to the address it checked (no second DNS resolution)', async () => {
    let lookups = 0;
    const resolve = () => {
      lookups++;
      return Promise.resolve([{ address: '127.0.0.1', family: 4 as const }]);
    };
    const pcm = await loader({ resolve }).load(`http://prompts.example.test:${port}/tone.wav`);
    expect(dominantFrequency(pcm)).toBeCloseTo(440, 0);
    expect(lookups).toBe(1);
  });
});

describe('URL prompts: caching', () => {
  it('fetches a max-age response once', async () => {
    const urls = loader();
    const a = await urls.load(`${base}/max-age`);
    const b = await urls.load(`${base}/max-age`);
    expect(b).toBe(a);
    expect(hits.get('/max-age')).toBe(1);
  });

  it('revalidates with the ETag and reuses the decoded audio on 304', async () => {
    const urls = loader();
    const a = await urls.load(`${base}/etag`);
    const b = await urls.load(`${base}/etag`);
    expect(b).toBe(a);
    expect(hits.get('/etag')).toBe(2);
    expect(notModified).toBe(1);
  });

  it('does not keep no-store responses', async () => {
    const urls = loader();
    await urls.load(`${base}/no-store`);
    await urls.load(`${base}/no-store`);
    expect(hits.get('/no-store')).toBe(2);
    expect(urls.cache.size).toBe(0);
  });

  it('shares one fetch between concurrent plays of the same URL', async () => {
    const urls = loader({ cache: new PcmCache() });
    const results = await Promise.all([1, 2, 3].map(() => urls.load(`${base}/tone.mp3`)));
    expect(new Set(results).size).toBe(1);
    expect(hits.get('/tone.mp3')).toBe(1);
  });
});

describe('URL prompts through renderPrompt', () => {
  const engines = (): AudioEngines => {
    const cache = new PcmCache();
    return {
      cache,
      tts: new EspeakTts(),
      urls: new UrlAudioLoader({ cache, allowPrivateNetworks: ['127.0.0.1/32'] }),
    };
  };

  it('loops a URL prompt with a single fetch', async () => {
    const frames: Int16Array[] = [];
    for await (const frame of loopPrompt({ kind: 'url', url: `${base}/tone.wav` }, 3, {
      engines: engines(),
    })) {
      frames.push(frame);
    }
    expect(frames).toHaveLength(150);
    expect(hits.get('/tone.wav')).toBe(1);
    expect(dominantFrequency(concatInt16(frames.slice(60, 90)))).toBeCloseTo(440, 0);
  });

  it('stops a prompt still being fetched when aborted, without an error', async () => {
    const controller = new AbortController();
    const iterator = renderPrompt(
      { kind: 'url', url: `${base}/slow` },
      { engines: engines(), signal: controller.signal },
    );
    const next = iterator.next();
    await new Promise<void>((resolve) => {
      const check = (): void => (hits.get('/slow') ? resolve() : void setImmediate(check));
      check();
    });
    controller.abort();
    await expect(next).resolves.toEqual({ done: true, value: undefined });
  });

  it('fails a prompt that cannot be fetched with the Twilio code', async () => {
    const error = await failure(
      (async () => {
        for await (const frame of renderPrompt(
          { kind: 'url', url: `${base}/missing.wav` },
          { engines: engines() },
        )) {
          expect(frame.length).toBe(FRAME_SAMPLES);
        }
      })(),
    );
    expect(error.code).toBe(11200);
  });
});
