import { z } from 'zod';
import { ServiceName } from '../enums';

/** Every service announces itself when it is ready and when it begins to drain. */
export const ServiceStartedV1 = z.object({
  service: ServiceName,
  instanceId: z.string().min(1),
  version: z.string().min(1),
  startedAt: z.string().datetime(),
});
export type ServiceStartedV1 = z.infer<typeof ServiceStartedV1>;

export const ServiceStoppingV1 = z.object({
  service: ServiceName,
  instanceId: z.string().min(1),
  reason: z.string(),
  stoppingAt: z.string().datetime(),
});
export type ServiceStoppingV1 = z.infer<typeof ServiceStoppingV1>;

export const HealthCheckRequestV1 = z.object({}).strict();
export type HealthCheckRequestV1 = z.infer<typeof HealthCheckRequestV1>;

export const ReadinessCheckResult = z.object({
  name: z.string(),
  ok: z.boolean(),
  latencyMs: z.number().nonnegative(),
  detail: z.string().optional(),
});
export type ReadinessCheckResult = z.infer<typeof ReadinessCheckResult>;

/** One service instance's view of its own readiness (the same facts as its /readyz). */
export const HealthReportV1 = z.object({
  service: ServiceName,
  instanceId: z.string(),
  version: z.string(),
  ready: z.boolean(),
  uptimeSeconds: z.number().nonnegative(),
  checks: z.array(ReadinessCheckResult),
});
export type HealthReportV1 = z.infer<typeof HealthReportV1>;
