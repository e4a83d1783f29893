import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveSettings, type MetaSimOptions } from './config/options';
import { handleControl } from './control/control-api';
import { GraphApi } from './graph/graph-api';
import { GraphErrors } from './graph/graph-error';
import {
  BodyTooLargeError,
  readBody,
  writeResponse,
  type SimRequest,
  type SimResponse,
} from './http/http';
import { createJsonLogger } from './logging/logger';
import { assertBindable } from './media/webrtc-audio-peer';
import { MetaSimulator } from './sim/simulator';

export type { MetaSimOptions } from './config/options';

export interface RunningMetaSim {
  /** Base URL, e.g. http://127.0.0.1:4010: Graph at `${url}/v21.0/...`, control at `${url}/sim/v1/...`. */
  url: string;
  port: number;
  /** The simulator itself, for in-process tests that want to look inside. */
  simulator: MetaSimulator;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Starts the simulator: one HTTP server for Meta's Graph API (`/v{major}.{minor}/...`) and
 * the simulator's control API (`/sim/v1/...`). `port: 0` picks a free port.
 */
export async function startMetaSim(options: MetaSimOptions = {}): Promise<RunningMetaSim> {
  const settings = resolveSettings(options);
  // A media address the host does not have would only fail at the first call.
  await assertBindable(settings.mediaAddress);
  const logger = options.logger ?? createJsonLogger(options.logLevel ?? 'warn');
  const simulator = new MetaSimulator(settings, logger, options.seed, options.clockOffsetMs ?? 0);
  const graph = new GraphApi(simulator);

  const server: Server = createServer((req, res) => {
    void (async () => {
      let response: SimResponse;
      try {
        const url = new URL(req.url ?? '/', 'http://meta-sim');
        const simRequest: SimRequest = {
          method: (req.method ?? 'GET').toUpperCase(),
          url,
          headers: req.headers,
          rawBody: await readBody(req, MAX_BODY_BYTES),
        };
        if (GraphApi.matches(url.pathname)) response = await graph.handle(simRequest);
        else if (url.pathname.startsWith('/sim/'))
          response = await handleControl(simulator, simRequest);
        else response = { status: 404, json: GraphErrors.unknownPath(url.pathname).toEnvelope() };
      } catch (error) {
        const tooLarge = error instanceof BodyTooLargeError;
        if (!tooLarge) logger.error('request failed', { path: req.url, error });
        response = {
          status: tooLarge ? 413 : 500,
          json: {
            error: { code: tooLarge ? 'payload_too_large' : 'internal', message: String(error) },
          },
        };
      }
      if (!res.headersSent && !res.destroyed) writeResponse(res, response);
    })();
  });
  // Webhook receivers and clients keep connections alive; do not let them hold close() up.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  logger.info('meta-sim listening', {
    url,
    mediaAddress: settings.mediaAddress,
    ringTimeoutMs: settings.ringTimeoutMs,
    mediaTimeoutMs: settings.mediaTimeoutMs,
  });

  let closing: Promise<void> | null = null;
  return {
    url,
    port: address.port,
    simulator,
    close(): Promise<void> {
      closing ??= (async () => {
        await simulator.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        logger.info('meta-sim stopped');
      })();
      return closing;
    },
  };
}
