/**
 * `node ensure-streams-cli.js`: creates or updates every JetStream stream Parley needs
 * (see `streams` in the subject registry) on the server at NATS_URL, in the namespace of
 * PARLEY_NATS_NAMESPACE when set. Idempotent; run by `./dev` and by the Helm chart's
 * set-up job.
 */
import { connect } from 'nats';
import { streams } from '../subjects/registry';
import { checkNatsNamespace } from './namespace';
import { ensureStream, streamConfig } from './streams';

async function main(): Promise<void> {
  const servers = (process.env.NATS_URL ?? 'nats://127.0.0.1:4222').split(',').map((s) => s.trim());
  const namespace = checkNatsNamespace(process.env.PARLEY_NATS_NAMESPACE);
  const nc = await connect({ servers, name: 'parley-ensure-streams', timeout: 5_000 });
  try {
    const jsm = await nc.jetstreamManager();
    for (const def of streams) {
      const outcome = await ensureStream(jsm, def, namespace);
      const config = streamConfig(def, namespace);
      process.stdout.write(`stream ${config.name} (${config.subjects.join(', ')}): ${outcome}\n`);
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
