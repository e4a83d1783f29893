import { Inject, Injectable } from '@nestjs/common';
import { type HealthReportV1 } from '@parley/contracts';
import { SERVICE_INFO, type ServiceInfo } from '../tokens';
import { ReadinessRegistry } from './readiness';

/** This instance's health, as served on /readyz and over NATS. */
@Injectable()
export class HealthReportService {
  constructor(
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async report(): Promise<HealthReportV1> {
    const { ready, checks } = await this.readiness.evaluate();
    return {
      service: this.info.name,
      instanceId: this.info.instanceId,
      version: this.info.version,
      ready,
      uptimeSeconds: Math.round((Date.now() - this.info.startedAt.getTime()) / 1000),
      checks,
    };
  }
}
