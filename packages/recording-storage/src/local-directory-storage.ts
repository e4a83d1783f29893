import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import {
  type PutOptions,
  type RecordingStorage,
  StorageNotFoundError,
  type StoredObject,
  assertSafeKey,
} from './storage';

/**
 * Recordings as files under one base directory (the default storage). A write goes to a
 * temporary file in the same directory, is fsynced, then renamed over the final name, so a
 * reader never sees a half-written recording and a crash leaves no partial file behind
 * under the real name.
 */
export class LocalDirectoryStorage implements RecordingStorage {
  readonly baseDir: string;

  constructor(baseDir: string) {
    this.baseDir = resolve(baseDir);
  }

  /** Absolute path of a key, guaranteed to be inside the base directory. */
  pathOf(key: string): string {
    assertSafeKey(key);
    const path = resolve(join(this.baseDir, key));
    if (!path.startsWith(this.baseDir + sep)) throw new RangeError(`unsafe storage key ${key}`);
    return path;
  }

  async put(key: string, body: Buffer | Readable, _options: PutOptions): Promise<StoredObject> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = join(dirname(path), `.tmp-${randomUUID()}`);
    try {
      if (Buffer.isBuffer(body)) {
        const handle = await open(temp, 'wx', 0o640);
        try {
          await handle.writeFile(body);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } else {
        await pipeline(body, createWriteStream(temp, { flags: 'wx', mode: 0o640 }));
        const handle = await open(temp, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    const { size } = await stat(path);
    return { uri: pathToFileURL(path).href, sizeBytes: size };
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      const handle = await open(path, 'r');
      return handle.createReadStream();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StorageNotFoundError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
