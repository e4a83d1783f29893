import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CreateBusinessInput, CreateUserInput, PhoneDigits, GraphId } from '../sim/inputs';

/**
 * What META_SIM_CONFIG (a JSON file) or `seed` pre-creates, e.g. a demo business pointing at
 * a local Parley and a couple of users who already granted call permission.
 */
export const SeedConfig = z
  .object({
    businesses: z.array(CreateBusinessInput).default([]),
    users: z.array(CreateUserInput).default([]),
    permissions: z
      .array(
        z
          .object({
            waId: PhoneDigits,
            phoneNumberId: GraphId,
            permanent: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type SeedConfig = z.input<typeof SeedConfig>;

export function loadSeedFile(path: string): SeedConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `cannot read META_SIM_CONFIG ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = SeedConfig.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `invalid META_SIM_CONFIG ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
