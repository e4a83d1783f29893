import { z } from 'zod';
import { LocalDirectoryStorage } from './local-directory-storage';
import { S3Storage } from './s3-storage';
import { type RecordingStorage } from './storage';

/**
 * The recordings store, configured identically in every service that touches it: media
 * writes recordings, call-control serves them. Spread into a service's env schema and
 * check it with `refineRecordingStorageEnv`.
 */
export const recordingStorageEnvShape = {
  /** Where finished recordings go: a local directory, or S3 (or an S3-compatible store). */
  RECORDINGS_STORAGE: z.enum(['local', 's3']).default('local'),
  /** Directory of `local` storage (relative paths are from the working directory). */
  RECORDINGS_DIR: z.string().min(1).default('.data/recordings'),
  RECORDINGS_S3_ENDPOINT: z.string().url().optional(),
  RECORDINGS_S3_REGION: z.string().min(1).default('us-east-1'),
  RECORDINGS_S3_BUCKET: z.string().min(3).optional(),
  RECORDINGS_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  RECORDINGS_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  RECORDINGS_S3_SESSION_TOKEN: z.string().min(1).optional(),
  /** Path-style URLs (MinIO and most self-hosted stores); `false` for virtual-hosted. */
  RECORDINGS_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
};

export type RecordingStorageEnv = z.infer<z.ZodObject<typeof recordingStorageEnvShape>>;

/** For the env schema's refinement: S3 needs its endpoint, bucket and credentials. */
export function recordingStorageSettingsComplete(e: RecordingStorageEnv): boolean {
  return (
    e.RECORDINGS_STORAGE !== 's3' ||
    Boolean(
      e.RECORDINGS_S3_ENDPOINT &&
      e.RECORDINGS_S3_BUCKET &&
      e.RECORDINGS_S3_ACCESS_KEY_ID &&
      e.RECORDINGS_S3_SECRET_ACCESS_KEY,
    )
  );
}

export const RECORDING_STORAGE_SETTINGS_MESSAGE =
  's3 needs RECORDINGS_S3_ENDPOINT, RECORDINGS_S3_BUCKET, RECORDINGS_S3_ACCESS_KEY_ID and RECORDINGS_S3_SECRET_ACCESS_KEY';

/** The storage RECORDINGS_STORAGE names (the env schema has checked S3's settings). */
export function recordingStorageFromEnv(env: RecordingStorageEnv): RecordingStorage {
  if (env.RECORDINGS_STORAGE === 'local') return new LocalDirectoryStorage(env.RECORDINGS_DIR);
  return new S3Storage({
    endpoint: env.RECORDINGS_S3_ENDPOINT ?? '',
    region: env.RECORDINGS_S3_REGION,
    bucket: env.RECORDINGS_S3_BUCKET ?? '',
    accessKeyId: env.RECORDINGS_S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.RECORDINGS_S3_SECRET_ACCESS_KEY ?? '',
    ...(env.RECORDINGS_S3_SESSION_TOKEN ? { sessionToken: env.RECORDINGS_S3_SESSION_TOKEN } : {}),
    forcePathStyle: env.RECORDINGS_S3_FORCE_PATH_STYLE,
  });
}

/** The object key of a recording: one per account and RecordingSid. */
export function recordingKey(accountSid: string, recordingSid: string): string {
  return `${accountSid}/${recordingSid}.wav`;
}
