import { type Readable } from 'node:stream';

/**
 * Where recordings (WAV files) are kept. Keys are relative paths such as
 * `AC.../RE....wav`: letters, digits, `-`, `_`, `.` and `/`, no empty, `.` or `..`
 * segment, no leading `/`, at most 512 characters (see `assertSafeKey`).
 */
export interface RecordingStorage {
  /**
   * Stores an object, replacing any previous one with that key. A stream body needs
   * `sizeBytes` (an S3 PUT must announce its length).
   */
  put(key: string, body: Buffer | Readable, options: PutOptions): Promise<StoredObject>;
  /** The object's bytes. Throws StorageNotFoundError when there is none. */
  get(key: string): Promise<Readable>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
}

export interface PutOptions {
  contentType: string;
  sizeBytes?: number;
}

export interface StoredObject {
  /** `file:///...` or `s3://bucket/key`: what RecordingCompleted's storageUri carries. */
  uri: string;
  sizeBytes: number;
}

export class StorageNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no stored object ${key}`);
    this.name = 'StorageNotFoundError';
  }
}

export class StorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
  }
}

const KEY_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

/** Throws RangeError unless `key` is a safe relative object key (no traversal). */
export function assertSafeKey(key: string): void {
  const segments = key.split('/');
  const ok =
    key.length > 0 &&
    key.length <= 512 &&
    KEY_PATTERN.test(key) &&
    segments.every((s) => s !== '.' && s !== '..' && !/^\.+$/.test(s));
  if (!ok) throw new RangeError(`unsafe storage key ${JSON.stringify(key)}`);
}
