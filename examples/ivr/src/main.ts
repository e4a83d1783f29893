#!/usr/bin/env node
import { loadConfig } from './config';
import { createIvrServer } from './server';

const config = loadConfig(process.env);
const server = createIvrServer({
  authToken: config.authToken,
  publicUrl: config.publicUrl,
  transferTo: config.transferTo,
  defaultCallerId: config.defaultCallerId,
});
server.listen(config.port, config.host, () => {
  process.stdout.write(`example IVR listening on ${config.publicUrl}/voice\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
