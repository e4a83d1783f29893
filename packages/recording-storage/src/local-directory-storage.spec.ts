import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { LocalDirectoryStorage } from './local-directory-storage';
import { StorageNotFoundError, assertSafeKey } from './storage';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('storage keys', () => {
  it.each(['AC123/RE456.wav', 'a', 'x_y-z.0/1/2.wav'])('accepts %s', (key) => {
    expect(() => assertSafeKey(key)).not.toThrow();
  });

  it.each([
    '',
    '/etc/passwd',
    '../up.wav',
    'a/../../b',
    'a//b',
    'a/./b',
    '.hidden',
    'a\\b',
    'a b',
    'a/',
    'é.wav',
    'x'.repeat(513),
  ])('refuses %j', (key) => {
    expect(() => assertSafeKey(key)).toThrow(RangeError);
  });
});

describe('LocalDirectoryStorage', () => {
  let dir: string;
  let storage: LocalDirectoryStorage;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-storage-'));
    storage = new LocalDirectoryStorage(join(dir, 'recordings'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores buffers and streams under the base directory, atomically', async () => {
    const a = await storage.put('AC1/RE1.wav', Buffer.from('first'), { contentType: 'audio/wav' });
    expect(a.sizeBytes).toBe(5);
    expect(fileURLToPath(a.uri)).toBe(join(dir, 'recordings', 'AC1', 'RE1.wav'));
    const b = await storage.put(
      'AC1/RE1.wav',
      Readable.from([Buffer.from('second '), Buffer.from('version')]),
      {
        contentType: 'audio/wav',
      },
    );
    expect(b.sizeBytes).toBe(14);
    expect(await readFile(fileURLToPath(b.uri), 'utf8')).toBe('second version');
    expect((await readAll(await storage.get('AC1/RE1.wav'))).toString()).toBe('second version');
    // No temporary files are left behind.
    expect(await readdir(join(dir, 'recordings', 'AC1'))).toEqual(['RE1.wav']);
  });

  it('leaves no partial file when the source stream fails', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('source broke'));
      },
    });
    await expect(
      storage.put('AC1/broken.wav', failing, { contentType: 'audio/wav' }),
    ).rejects.toThrow('source broke');
    expect(await readdir(join(dir, 'recordings', 'AC1'))).toEqual([]);
  });

  it('reports missing objects and deletes idempotently', async () => {
    await expect(storage.get('AC1/none.wav')).rejects.toBeInstanceOf(StorageNotFoundError);
    await storage.put('AC1/x.wav', Buffer.from('x'), { contentType: 'audio/wav' });
    await storage.delete('AC1/x.wav');
    await storage.delete('AC1/x.wav');
    await expect(storage.get('AC1/x.wav')).rejects.toBeInstanceOf(StorageNotFoundError);
  });

  it('refuses keys that would escape the base directory', async () => {
    await expect(
      storage.put('../escape.wav', Buffer.from('x'), { contentType: 'audio/wav' }),
    ).rejects.toThrow(RangeError);
    expect(() => storage.pathOf('a/../../escape')).toThrow(RangeError);
  });
});
