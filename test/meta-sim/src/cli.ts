#!/usr/bin/env node
import { CliUsageError, runCli, USAGE } from './cli/run-cli';
import { MetaSimClientError } from './client/meta-sim-client';

runCli(process.argv.slice(2)).then(
  (output) => {
    process.stdout.write(output);
  },
  (error: unknown) => {
    if (error instanceof CliUsageError) {
      process.stderr.write(`meta-sim: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof MetaSimClientError) {
      process.stderr.write(`meta-sim: ${error.status} ${error.code}: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`meta-sim: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
