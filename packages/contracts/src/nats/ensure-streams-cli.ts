/**
 * `node ensure-streams-cli.js`: creates or updates every JetStream stream Parley needs
 * (see `streams` in the subject registry) on the server at NATS_URL. Idempotent; run by
 * `./dev` and by the Helm chart's set-up job.
 */
import { connect } from 'nats';
import { streams } from '../subjects/registry';
import { ensureStream } from './streams';

async function main(): Promise<void> {
  const servers = (process.env.NATS_URL ?? 'nats://127.0.0.1:4222').split(',').map((s) => s.trim());
  const nc = await connect({ servers, name: 'parley-ensure-streams', timeout: 5_000 });
  try {
    const jsm = await nc.jetstreamManager();
    for (const def of streams) {
      const outcome = await ensureStream(jsm, def);
      process.stdout.write(`stream ${def.name} (${def.subjects.join(', ')}): ${outcome}\n`);
    }
  } finally {
    await nc.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ensure-streams: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
