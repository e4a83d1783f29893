import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  healthCheckSubject,
  NatsBus,
  ServiceName,
  type HealthReportV1,
  type ServiceStartedV1,
} from '@parley/contracts';
import { type Subscription } from 'nats';
import { PARLEY_LOGGER, SERVICE_INFO, type ServiceInfo } from '../tokens';
import { type ParleyLogger } from '../logging/logger';

export interface PeerInstance {
  instanceId: string;
  version: string;
  startedAt: string;
}

export interface PeerStatus {
  service: ServiceName;
  /** Instances that announced themselves and have not said they are stopping. */
  instances: PeerInstance[];
  /** One instance's answer to the health command, or why there was none. */
  probe: { ok: true; report: HealthReportV1 } | { ok: false; error: string };
}

const PROBE_TIMEOUT_MS = 1_500;
/** How often each instance re-announces itself. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** An instance not heard from for this long is forgotten (it died without a goodbye). */
const FORGET_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;

/**
 * What this instance knows of the others: each service announces itself on
 * `ops.v1.service.started` and says goodbye on `ops.v1.service.stopping`, and answers
 * its health command. Used by /statusz and `./dev status`.
 */
@Injectable()
export class PeerDirectory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly instances = new Map<string, ServiceStartedV1 & { lastSeen: number }>();
  private readonly subscriptions: Subscription[] = [];
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly bus: NatsBus,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
  ) {}

  onApplicationBootstrap(): void {
    const remember = (e: ServiceStartedV1) => {
      if (!this.instances.has(e.instanceId)) {
        this.logger.debug({ peer: e.service, instance: e.instanceId }, 'peer seen');
      }
      this.instances.set(e.instanceId, { ...e, lastSeen: Date.now() });
    };
    this.subscriptions.push(
      this.bus.subscribe('ops.v1.service.started', remember),
      this.bus.subscribe('ops.v1.service.heartbeat', remember),
      this.bus.subscribe('ops.v1.service.stopping', (e) => {
        this.instances.delete(e.instanceId);
        this.logger.debug(
          { peer: e.service, instance: e.instanceId, reason: e.reason },
          'peer stopping',
        );
      }),
    );
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    for (const s of this.subscriptions) s.unsubscribe();
  }

  private beat(): void {
    try {
      this.bus.publish('ops.v1.service.heartbeat', {
        service: this.info.name,
        instanceId: this.info.instanceId,
        version: this.info.version,
        startedAt: this.info.startedAt.toISOString(),
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'heartbeat not sent');
    }
    const cutoff = Date.now() - FORGET_AFTER_MS;
    for (const [id, i] of this.instances) if (i.lastSeen < cutoff) this.instances.delete(id);
  }

  known(service: ServiceName): PeerInstance[] {
    return [...this.instances.values()]
      .filter((i) => i.service === service)
      .map(({ instanceId, version, startedAt }) => ({ instanceId, version, startedAt }));
  }

  async probe(service: ServiceName): Promise<PeerStatus['probe']> {
    try {
      const report = await this.bus.request(
        healthCheckSubject(service),
        {},
        { timeoutMs: PROBE_TIMEOUT_MS },
      );
      return { ok: true, report };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async probeAll(): Promise<PeerStatus[]> {
    return Promise.all(
      ServiceName.options.map(async (service) => ({
        service,
        instances: this.known(service),
        probe: await this.probe(service),
      })),
    );
  }
}
