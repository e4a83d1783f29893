/**
 * A circuit breaker per destination host, so one dead customer endpoint costs the
 * dispatcher a probe now and then instead of a request slot per callback.
 *
 * closed: requests flow; `failureThreshold` failed attempts in a row open the circuit.
 * open: the host's rows are not claimed (they wait in the outbox, no attempt counted)
 *   until the open period ends; each re-opening doubles the period, up to `maxOpenMs`.
 * half-open: one probe request goes out; success closes the circuit, failure re-opens it.
 *
 * Per replica and in memory: each replica learns a host's health from its own attempts,
 * and a restarted replica starts with every circuit closed, which costs at most
 * `failureThreshold` attempts per dead host. Rows, not circuits, hold the truth.
 */

export interface CircuitSettings {
  /** Failed attempts in a row that open a host's circuit. */
  failureThreshold: number;
  /** First open period; doubled on every failed probe. */
  openMs: number;
  maxOpenMs: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/** What an outcome did to the host's circuit, for logs and metrics. */
export type CircuitTransition = 'opened' | 'reopened' | 'closed' | null;

interface HostHealth {
  failuresInRow: number;
  /** When the open period ends; null while closed. */
  openUntil: number | null;
  /** How many times in a row the circuit opened (sets the next period's length). */
  opens: number;
  /** The request out as the half-open probe (a delivery id), if any. */
  probe: string | null;
}

export class HostCircuits {
  private readonly hosts = new Map<string, HostHealth>();

  constructor(
    private readonly settings: CircuitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  state(host: string): CircuitState {
    const health = this.hosts.get(host);
    if (!health || health.openUntil === null) return 'closed';
    return this.now() < health.openUntil ? 'open' : 'half-open';
  }

  /** Hosts whose rows must not be claimed now: open, or half-open with a probe out. */
  blockedHosts(): string[] {
    const blocked: string[] = [];
    for (const [host, health] of this.hosts) {
      const state = this.state(host);
      if (state === 'open' || (state === 'half-open' && health.probe !== null)) blocked.push(host);
    }
    return blocked;
  }

  /** Hosts whose probe may go out now (half-open, none out yet): one request each. */
  probeHosts(): string[] {
    const probing: string[] = [];
    for (const [host, health] of this.hosts) {
      if (health.probe === null && this.state(host) === 'half-open') probing.push(host);
    }
    return probing;
  }

  /** Number of hosts whose circuit is not closed. */
  openCount(): number {
    let count = 0;
    for (const host of this.hosts.keys()) if (this.state(host) !== 'closed') count += 1;
    return count;
  }

  /**
   * May request `id` to `host` start now? Closed: yes. Half-open: yes for one request at a
   * time (the probe). Open: no.
   */
  admit(host: string, id: string): boolean {
    const state = this.state(host);
    if (state === 'closed') return true;
    const health = this.hosts.get(host) as HostHealth;
    if (state === 'open' || health.probe !== null) return false;
    health.probe = id;
    return true;
  }

  /** The host answered (any HTTP answer that is not a server failure): close its circuit. */
  recordSuccess(host: string): CircuitTransition {
    const health = this.hosts.get(host);
    if (!health) return null;
    this.hosts.delete(host);
    return health.openUntil === null ? null : 'closed';
  }

  /** Request `id` to the host failed in a way that says the host is down or overloaded. */
  recordFailure(host: string, id: string): CircuitTransition {
    const health = this.hosts.get(host) ?? {
      failuresInRow: 0,
      openUntil: null,
      opens: 0,
      probe: null,
    };
    this.hosts.set(host, health);
    const wasProbe = health.probe === id;
    if (wasProbe) health.probe = null;
    if (health.openUntil !== null) {
      // A request that started before the circuit opened may fail late: only a failed
      // probe re-opens (and lengthens) the open period.
      if (!wasProbe) return null;
      this.open(health);
      return 'reopened';
    }
    health.failuresInRow += 1;
    if (health.failuresInRow < this.settings.failureThreshold) return null;
    this.open(health);
    return 'opened';
  }

  /**
   * Request `id` ended, whatever it said (called for every request, after its outcome was
   * recorded): if it was the probe and left no verdict (aborted, never sent), another
   * probe may go out.
   */
  settle(host: string, id: string): void {
    const health = this.hosts.get(host);
    if (health?.probe === id) health.probe = null;
  }

  private open(health: HostHealth): void {
    const period = Math.min(
      this.settings.maxOpenMs,
      this.settings.openMs * 2 ** Math.min(health.opens, 20),
    );
    health.opens += 1;
    health.openUntil = this.now() + period;
  }
}
