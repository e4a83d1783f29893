import { createSocket } from 'node:dgram';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  ReadinessRegistry,
  type ParleyLogger,
} from '@parley/nest-kit';
import { Gauge } from 'prom-client';
import { type MediaEnv } from '../../config/env.schema';
import { NgClient } from './ng-client';
import { RtpengineControl } from './rtpengine-control';
import { RtpengineProcess, type RtpengineInterface } from './rtpengine-process';

/** A free UDP port on `host`, for the spawned rtpengine's ng listener. */
async function freeUdpPort(host: string): Promise<number> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, resolve);
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

async function waitForPing(control: RtpengineControl, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      await control.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The logical interfaces the edge sends in the ng `direction` flag, if any. */
export interface EdgeInterfaces {
  whatsapp: string;
  internal: string;
}

/**
 * The rtpengine the WhatsApp edge drives: a private child process (default) or an
 * external one (`RTPENGINE_NG_ADDRESS`). A spawned rtpengine that dies ends this process,
 * as a dead mediasoup worker does: every leg's media went with it.
 */
@Injectable()
export class RtpengineService implements OnModuleInit, OnApplicationShutdown {
  private process: RtpengineProcess | null = null;
  private controlInstance: RtpengineControl | null = null;
  private shuttingDown = false;

  constructor(
    @Inject(PARLEY_ENV) private readonly env: MediaEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: MetricsService,
  ) {}

  get control(): RtpengineControl {
    if (!this.controlInstance) throw new Error('rtpengine is not started');
    return this.controlInstance;
  }

  get mode(): 'spawned' | 'external' {
    return this.env.RTPENGINE_NG_ADDRESS ? 'external' : 'spawned';
  }

  get interfaces(): EdgeInterfaces | null {
    const { RTPENGINE_WHATSAPP_INTERFACE: whatsapp, RTPENGINE_INTERNAL_INTERFACE: internal } =
      this.env;
    return whatsapp && internal ? { whatsapp, internal } : null;
  }

  async onModuleInit(): Promise<void> {
    const external = this.env.RTPENGINE_NG_ADDRESS;
    const target = external ?? {
      host: '127.0.0.1',
      port: this.env.RTPENGINE_NG_PORT || (await freeUdpPort('127.0.0.1')),
    };
    const client = new NgClient({
      host: target.host,
      port: target.port,
      timeoutMs: this.env.RTPENGINE_NG_TIMEOUT_MS,
      retries: this.env.RTPENGINE_NG_RETRIES,
    });
    this.controlInstance = new RtpengineControl(client);
    if (!external) await this.spawn(target.port);
    try {
      await waitForPing(this.control, external ? 2_000 : 10_000);
      this.logger.info({ ng: client.target, mode: this.mode }, 'rtpengine answers');
    } catch (error) {
      // A spawned one that never answers is a broken installation; an external one may
      // come later, and /readyz says so meanwhile.
      if (!external) throw error;
      this.logger.warn({ ng: client.target, err: error }, 'external rtpengine does not answer');
    }
    this.readiness.register({
      name: 'rtpengine',
      check: async () => {
        const sessions = await this.control.sessionCount();
        return { ok: true, detail: `${this.mode}, ${sessions} sessions` };
      },
    });
    const control = this.control;
    new Gauge({
      name: 'parley_rtpengine_sessions',
      help: 'Calls the rtpengine of this media instance holds (spawned: only this instance).',
      registers: [this.metrics.registry],
      async collect() {
        this.set(await control.sessionCount().catch(() => -1));
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    await this.process?.stop();
    this.controlInstance?.client.close();
  }

  private async spawn(ngPort: number): Promise<void> {
    const env = this.env;
    const named = this.interfaces;
    const interfaces: RtpengineInterface[] = named
      ? [
          {
            name: named.whatsapp,
            address: env.RTPENGINE_INTERFACE,
            announced: env.RTPENGINE_ANNOUNCED_ADDRESS,
          },
          { name: named.internal, address: env.MEDIA_PLAIN_LISTEN_IP },
        ]
      : [
          {
            name: 'default',
            address: env.RTPENGINE_INTERFACE,
            announced: env.RTPENGINE_ANNOUNCED_ADDRESS,
          },
        ];
    const log = this.logger.child({ component: 'rtpengine' });
    this.process = new RtpengineProcess(
      {
        bin: env.RTPENGINE_BIN,
        ngHost: '127.0.0.1',
        ngPort,
        interfaces,
        portMin: env.RTPENGINE_PORT_MIN,
        portMax: env.RTPENGINE_PORT_MAX,
        logLevel: env.RTPENGINE_LOG_LEVEL,
        mediaTimeoutSec: env.RTPENGINE_MEDIA_TIMEOUT_SEC,
        numThreads: env.RTPENGINE_NUM_THREADS,
      },
      {
        log: (level, line) => log[level](line),
        onExit: (code, signal) => {
          if (this.shuttingDown) return;
          this.logger.fatal(
            { code, signal },
            'rtpengine exited: every WhatsApp leg lost its media; exiting so the process is restarted',
          );
          setTimeout(() => process.exit(1), 100).unref();
        },
      },
    );
    await this.process.start();
    this.logger.info(
      {
        pid: this.process.pid,
        ngPort,
        ports: `${env.RTPENGINE_PORT_MIN}-${env.RTPENGINE_PORT_MAX}`,
      },
      'rtpengine started',
    );
  }
}
