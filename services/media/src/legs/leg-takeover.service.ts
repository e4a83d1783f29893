import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  type ParleyLogger,
  PeriodicTasks,
} from '@parley/nest-kit';
import { Counter } from 'prom-client';
import { type MediaEnv } from '../config/env.schema';
import { InstanceLeasesRepository } from '../instances/instance-leases.repository';
import { OPEN_WHATSAPP_LEG_STATES } from '../whatsapp-legs/whatsapp-leg.entity';
import { WhatsAppLegsRepository } from '../whatsapp-legs/whatsapp-legs.repository';
import { LegFailureReporter } from './leg-failure-reporter.service';

/**
 * A media instance that dies for good (its pod replaced, its node gone) cannot report its
 * own legs, and a restart under a new instance id does not find them: every instance
 * renews a lease, and each one fails the open legs of instances whose lease lapsed, so
 * call-control ends those calls (Meta told) instead of leaving users on a dead line.
 */
@Injectable()
export class LegTakeoverService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly takenOver: Counter;

  constructor(
    @Inject(PARLEY_ENV) private readonly env: MediaEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly leases: InstanceLeasesRepository,
    private readonly legs: WhatsAppLegsRepository,
    private readonly failures: LegFailureReporter,
    tasks: PeriodicTasks,
    metrics: MetricsService,
  ) {
    this.takenOver = new Counter({
      name: 'parley_media_legs_of_lost_instances_total',
      help: 'Open legs failed because the media instance holding them stopped renewing its lease',
      registers: [metrics.registry],
    });
    const every = Math.floor(env.MEDIA_INSTANCE_LEASE_MS / 3);
    tasks.every('instance-lease.renew', every, () =>
      this.leases.renew(env.MEDIA_INSTANCE_LEASE_MS),
    );
    tasks.every('instance-lease.take-over', every, () => this.takeOver());
  }

  /** The lease is taken before the service answers anything. */
  async onApplicationBootstrap(): Promise<void> {
    await this.leases.renew(this.env.MEDIA_INSTANCE_LEASE_MS);
  }

  /** The legs still open are failed (and reported) by the supervisor's shutdown or a peer. */
  async onApplicationShutdown(): Promise<void> {
    await this.leases.lapse().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'lease not ended at shutdown; it lapses on its own');
    });
  }

  /** Fails the legs of instances whose lease lapsed; returns how many. */
  async takeOver(): Promise<number> {
    const failed = await this.legs.failLegsOfLapsedInstances();
    if (failed > 0) {
      this.takenOver.inc(failed);
      this.logger.warn({ legs: failed }, 'failed the open legs of media instances that died');
      this.failures.kick();
    }
    await this.leases.pruneLapsed(OPEN_WHATSAPP_LEG_STATES);
    return failed;
  }
}
