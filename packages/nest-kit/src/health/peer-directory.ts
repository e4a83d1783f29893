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
import { PARLEY_LOGGER } from '../tokens';
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

/**
 * What this instance knows of the others: each service announces itself on
 * `ops.v1.service.started` and says goodbye on `ops.v1.service.stopping`, and answers
 * its health command. Used by /statusz and `./dev status`.
 */
@Injectable()
export class PeerDirectory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly instances = new Map<string, ServiceStartedV1>();
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly bus: NatsBus,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.subscriptions.push(
      this.bus.subscribe('ops.v1.service.started', (e) => {
        this.instances.set(e.instanceId, e);
        this.logger.debug({ peer: e.service, instance: e.instanceId }, 'peer started');
      }),
      this.bus.subscribe('ops.v1.service.stopping', (e) => {
        this.instances.delete(e.instanceId);
        this.logger.debug(
          { peer: e.service, instance: e.instanceId, reason: e.reason },
          'peer stopping',
        );
      }),
    );
  }

  onApplicationShutdown(): void {
    for (const s of this.subscriptions) s.unsubscribe();
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
