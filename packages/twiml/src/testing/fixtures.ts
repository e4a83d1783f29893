/** Test helpers: the fixture sets on disk (tests only; not part of the build). */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES_DIR = join(__dirname, '..', '..', 'fixtures');

export interface FixtureMeta {
  /** Invalid fixtures: the expected error code. */
  readonly code?: number;
  readonly line?: number;
  readonly column?: number;
  /** A substring of the expected message. */
  readonly message?: string;
  readonly context?: 'call' | 'whisper';
  /** Valid fixtures: how many warnings (default 0). */
  readonly warnings?: number;
  readonly note?: string;
}

export interface Fixture {
  readonly name: string;
  readonly xml: string;
  readonly meta: FixtureMeta;
}

export function loadFixtures(set: 'valid' | 'invalid'): Fixture[] {
  const dir = join(FIXTURES_DIR, set);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.xml'.length);
      const sidecar = join(dir, `${name}.json`);
      const meta = existsSync(sidecar)
        ? (JSON.parse(readFileSync(sidecar, 'utf8')) as FixtureMeta)
        : {};
      return { name, xml: readFileSync(join(dir, file), 'utf8'), meta };
    });
}
