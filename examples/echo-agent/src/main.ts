#!/usr/bin/env node
import { startEchoAgent } from './echo-agent';
import { makeGreeting } from './greeting';

/**
 * `./dev echo-agent` (or `pnpm --filter @parley/example-echo-agent start`): the echo
 * agent on ECHO_AGENT_HOST:ECHO_AGENT_PORT (127.0.0.1:8765), greeting with
 * ECHO_AGENT_GREETING, saying back what it hears ECHO_AGENT_DELAY_MS (1000) later.
 */
async function main(): Promise<void> {
  const env = process.env;
  const greeting = await makeGreeting(
    env.ECHO_AGENT_GREETING ??
      'Hello! This is the Parley echo agent. Say something and I will say it back.',
  );
  const port = Number(env.ECHO_AGENT_PORT ?? 8765);
  const delayMs = Number(env.ECHO_AGENT_DELAY_MS ?? 1000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error('ECHO_AGENT_PORT must be a port');
  if (!Number.isFinite(delayMs) || delayMs < 20)
    throw new Error('ECHO_AGENT_DELAY_MS must be at least 20');
  const agent = await startEchoAgent({
    port,
    host: env.ECHO_AGENT_HOST ?? '127.0.0.1',
    greeting: greeting.audio,
    delayMs,
    log: (line) => console.log(`echo-agent: ${line}`),
  });
  console.log(
    `echo-agent: listening on ${agent.url} (greeting: ${greeting.source === 'espeak-ng' ? 'spoken by espeak-ng' : 'a chime, espeak-ng not found'}, ` +
      `${(greeting.audio.length / 8000).toFixed(1)} s; echo delay ${delayMs} ms)`,
  );
  console.log(
    `echo-agent: TwiML: <Response><Connect><Stream url="${agent.url}"/></Connect></Response>`,
  );
  const stop = () => void agent.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`echo-agent: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
