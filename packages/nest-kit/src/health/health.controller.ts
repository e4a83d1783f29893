import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { type Response } from 'express';
import { HealthReportService } from './health-report.service';
import { PeerDirectory } from './peer-directory';

/**
 * Probes for orchestrators and operators. These carry no tenant data and are meant for
 * the cluster network only (the Helm chart does not route them through the ingress).
 */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthReportService,
    private readonly peers: PeerDirectory,
  ) {}

  /** Liveness: the process runs and its event loop answers. */
  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: every dependency answers; 503 with the failing checks otherwise. */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) res: Response): Promise<unknown> {
    const report = await this.health.report();
    res.status(report.ready ? 200 : 503);
    return report;
  }

  /** This instance and every other service as seen over NATS. */
  @Get('statusz')
  async statusz(): Promise<unknown> {
    return { self: await this.health.report(), services: await this.peers.probeAll() };
  }
}
