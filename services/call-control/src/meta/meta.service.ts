import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable } from '@nestjs/common';
import {
  type GraphCredentials,
  type GraphRequestRecord,
  MetaGraphClient,
} from '@parley/meta-graph';
import { MetricsService, PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { Counter } from 'prom-client';
import { CallTimeline } from '../call-events/call-timeline.service';
import { type CallControlEnv } from '../config/env.schema';
import { SecretBox, secretContext } from '../secrets/secret-box';

interface CallScope {
  callSid: string;
  accountSid: string;
  pending: Promise<void>[];
}

/** What the Graph client needs of a sender. */
export interface MetaSenderRef {
  sid: string;
  phoneNumberId: string;
  accessTokenSealed: string;
}

/**
 * The Meta Graph API for this service: one client configured from the environment, the
 * sender's access token unsealed per request, and every request attempt written to the
 * timeline of the call it was made for.
 */
@Injectable()
export class MetaService {
  readonly graph: MetaGraphClient;
  private readonly scope = new AsyncLocalStorage<CallScope>();
  private readonly requests: Counter<'operation' | 'outcome'>;

  constructor(
    @Inject(PARLEY_ENV) env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly timeline: CallTimeline,
    private readonly box: SecretBox,
    metrics: MetricsService,
  ) {
    this.requests = new Counter({
      name: 'parley_meta_graph_requests_total',
      help: 'Meta Graph API request attempts, by operation and outcome.',
      labelNames: ['operation', 'outcome'],
      registers: [metrics.registry],
    });
    this.graph = new MetaGraphClient({
      baseUrl: env.META_GRAPH_BASE_URL,
      version: env.META_GRAPH_VERSION,
      timeoutMs: env.META_GRAPH_TIMEOUT_MS,
      maxAttempts: env.META_GRAPH_MAX_ATTEMPTS,
      onRequest: (record) => this.onRequest(record),
    });
  }

  credentials(sender: MetaSenderRef): GraphCredentials {
    return {
      phoneNumberId: sender.phoneNumberId,
      accessToken: this.box.decrypt(
        sender.accessTokenSealed,
        secretContext.metaAccessToken(sender.sid),
      ),
    };
  }

  /** Runs Graph requests on behalf of a call, so they appear in its timeline. */
  async forCall<T>(
    call: { sid: string; accountSid: string },
    fn: (graph: MetaGraphClient) => Promise<T>,
  ): Promise<T> {
    const scope: CallScope = { callSid: call.sid, accountSid: call.accountSid, pending: [] };
    try {
      return await this.scope.run(scope, () => fn(this.graph));
    } finally {
      await Promise.allSettled(scope.pending);
    }
  }

  private onRequest(record: GraphRequestRecord): void {
    this.requests.inc({ operation: record.operation, outcome: record.outcome });
    const level = record.outcome === 'ok' ? 'debug' : 'warn';
    this.logger[level]({ graph: record }, `Meta ${record.operation}: ${record.outcome}`);
    const scope = this.scope.getStore();
    if (!scope) return;
    scope.pending.push(
      this.timeline.record({
        callSid: scope.callSid,
        accountSid: scope.accountSid,
        type: 'graph',
        name: record.action ?? record.operation,
        detail: { ...record },
      }),
    );
  }
}
