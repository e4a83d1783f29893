import { baseEnvSchema, cidrListEnv } from '@parley/nest-kit';
import { z } from 'zod';

export const envSchema = baseEnvSchema({ httpPort: 3001 }).extend({
  /** The whole budget for getting one TwiML document, fallback included (Twilio: 15 s). */
  TWIML_FETCH_BUDGET_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
  /** `<Redirect>`s one call may follow before it is ended as a loop. */
  TWIML_MAX_REDIRECTS: z.coerce.number().int().min(1).max(10_000).default(100),
  /** How long an account's signing key is kept in memory before it is asked for again. */
  SIGNING_KEY_CACHE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /**
   * Private networks TwiML URLs may point to anyway (comma-separated CIDRs, e.g.
   * `127.0.0.1/32` for local development). Empty: private, loopback, link-local and
   * metadata addresses are refused (SSRF protection).
   */
  TWIML_FETCH_ALLOW_PRIVATE_NETWORKS: cidrListEnv(),
  /**
   * How strictly `<WhatsApp>` numbers and `whatsapp:` callerIds are checked: `valid`
   * (assigned numbers, libphonenumber's metadata) or `possible` (right length only; for
   * test numbers like +1 555 01xx). The same setting as call-control's, which checks the
   * REST `To` and `<Dial>` legs: set both alike.
   */
  WHATSAPP_NUMBER_CHECK: z.enum(['valid', 'possible']).default('valid'),
});
export type TwimlInterpreterEnv = z.infer<typeof envSchema>;
