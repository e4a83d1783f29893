import { Injectable } from '@nestjs/common';
import { MetricsService } from '@parley/nest-kit';
import { Counter } from 'prom-client';

/** What the consent service decides, and where Meta disagrees with it. */
@Injectable()
export class ConsentMetrics {
  readonly decisions: Counter<'kind' | 'outcome' | 'rule'>;
  readonly metaDisagreements: Counter<'disagreement'>;
  readonly ledgerEvents: Counter<'kind'>;

  constructor(metrics: MetricsService) {
    this.decisions = new Counter({
      name: 'parley_consent_decisions_total',
      help: 'Call and permission-request checks, by outcome and the rule that refused.',
      labelNames: ['kind', 'outcome', 'rule'],
      registers: [metrics.registry],
    });
    this.metaDisagreements = new Counter({
      name: 'parley_consent_meta_disagreements_total',
      help: "Checks where Meta's call_permissions answer differed from the ledger's (the stricter won).",
      labelNames: ['disagreement'],
      registers: [metrics.registry],
    });
    this.ledgerEvents = new Counter({
      name: 'parley_consent_ledger_entries_total',
      help: 'Entries appended to the consent ledger, by kind.',
      labelNames: ['kind'],
      registers: [metrics.registry],
    });
  }
}
