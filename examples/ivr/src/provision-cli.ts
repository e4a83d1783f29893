#!/usr/bin/env node
import { provisionDemo } from './provision';

/**
 * `node dist/provision-cli.js`: makes the IVR the voice application of a WhatsApp sender.
 * Environment: PARLEY_API_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, VOICE_URL, SENDER_ID.
 */
const env = process.env;
const missing = [
  'PARLEY_API_URL',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'VOICE_URL',
  'SENDER_ID',
].filter((name) => !env[name]);
if (missing.length > 0) {
  process.stderr.write(`provision: set ${missing.join(', ')}\n`);
  process.exit(2);
}
provisionDemo({
  apiUrl: env.PARLEY_API_URL ?? '',
  accountSid: env.TWILIO_ACCOUNT_SID ?? '',
  authToken: env.TWILIO_AUTH_TOKEN ?? '',
  voiceUrl: env.VOICE_URL ?? '',
  senderId: env.SENDER_ID ?? '',
}).then(
  (result) => {
    for (const change of result.changes) process.stderr.write(`provision: ${change}\n`);
    process.stdout.write(
      `${JSON.stringify({ applicationSid: result.applicationSid, senderSid: result.senderSid })}\n`,
    );
  },
  (error: unknown) => {
    process.stderr.write(`provision: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
