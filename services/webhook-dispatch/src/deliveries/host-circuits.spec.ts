import { HostCircuits } from './host-circuits';
import { hostHealthOf } from './retry-policy';

describe('HostCircuits', () => {
  let now = 0;
  const circuits = () =>
    new HostCircuits({ failureThreshold: 3, openMs: 1_000, maxOpenMs: 3_000 }, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('opens after the threshold of failures in a row, not before', () => {
    const c = circuits();
    expect(c.recordFailure('a.example', 'd1')).toBeNull();
    expect(c.recordFailure('a.example', 'd2')).toBeNull();
    expect(c.state('a.example')).toBe('closed');
    expect(c.admit('a.example', 'd3')).toBe(true);
    expect(c.recordFailure('a.example', 'd3')).toBe('opened');
    expect(c.state('a.example')).toBe('open');
    expect(c.admit('a.example', 'd4')).toBe(false);
    expect(c.blockedHosts()).toEqual(['a.example']);
    expect(c.openCount()).toBe(1);
  });

  it('starts counting again after a success', () => {
    const c = circuits();
    c.recordFailure('a.example', 'd1');
    c.recordFailure('a.example', 'd2');
    expect(c.recordSuccess('a.example')).toBeNull();
    expect(c.recordFailure('a.example', 'd3')).toBeNull();
    expect(c.recordFailure('a.example', 'd4')).toBeNull();
    expect(c.state('a.example')).toBe('closed');
  });

  it('keeps hosts apart', () => {
    const c = circuits();
    for (const id of ['d1', 'd2', 'd3']) c.recordFailure('dead.example', id);
    expect(c.state('dead.example')).toBe('open');
    expect(c.state('alive.example')).toBe('closed');
    expect(c.admit('alive.example', 'd4')).toBe(true);
    expect(c.blockedHosts()).toEqual(['dead.example']);
  });

  it('lets one probe through once the open period ended; its success closes the circuit', () => {
    const c = circuits();
    for (const id of ['d1', 'd2', 'd3']) c.recordFailure('a.example', id);
    now += 999;
    expect(c.admit('a.example', 'p1')).toBe(false);
    now += 1;
    expect(c.state('a.example')).toBe('half-open');
    expect(c.blockedHosts()).toEqual([]);
    expect(c.probeHosts()).toEqual(['a.example']);
    expect(c.admit('a.example', 'p1')).toBe(true);
    expect(c.probeHosts()).toEqual([]);
    // One probe at a time.
    expect(c.admit('a.example', 'p2')).toBe(false);
    expect(c.blockedHosts()).toEqual(['a.example']);
    expect(c.recordSuccess('a.example')).toBe('closed');
    expect(c.state('a.example')).toBe('closed');
    expect(c.openCount()).toBe(0);
  });

  it('re-opens on a failed probe for twice as long, up to the maximum', () => {
    const c = circuits();
    for (const id of ['d1', 'd2', 'd3']) c.recordFailure('a.example', id);
    const periods: number[] = [];
    for (let probe = 0; probe < 4; probe++) {
      let waited = 0;
      while (c.state('a.example') === 'open') {
        now += 100;
        waited += 100;
      }
      periods.push(waited);
      expect(c.admit('a.example', `p${probe}`)).toBe(true);
      expect(c.recordFailure('a.example', `p${probe}`)).toBe('reopened');
    }
    expect(periods).toEqual([1_000, 2_000, 3_000, 3_000]);
  });

  it('ignores late failures of requests that started before the circuit opened', () => {
    const c = circuits();
    for (const id of ['d1', 'd2', 'd3']) c.recordFailure('a.example', id);
    expect(c.recordFailure('a.example', 'late')).toBeNull();
    now += 1_000;
    // The open period was not lengthened by the late failure.
    expect(c.state('a.example')).toBe('half-open');
  });

  it('lets another probe go when the probe ended without a verdict', () => {
    const c = circuits();
    for (const id of ['d1', 'd2', 'd3']) c.recordFailure('a.example', id);
    now += 1_000;
    expect(c.admit('a.example', 'p1')).toBe(true);
    // Settling another request does not free the probe's place.
    c.settle('a.example', 'other');
    expect(c.admit('a.example', 'p2')).toBe(false);
    c.settle('a.example', 'p1');
    expect(c.admit('a.example', 'p2')).toBe(true);
  });
});

describe('hostHealthOf', () => {
  it.each([
    [{ ok: true as const }, 'up'],
    [{ failure: 'http-status', status: 404 }, 'up'],
    [{ failure: 'http-status', status: 400 }, 'up'],
    [{ failure: 'too-large' }, 'up'],
    [{ failure: 'http-status', status: 503 }, 'down'],
    [{ failure: 'http-status', status: 429 }, 'down'],
    [{ failure: 'connect' }, 'down'],
    [{ failure: 'read-timeout' }, 'down'],
    [{ failure: 'timeout' }, 'down'],
    [{ ok: false as const, failure: 'connect' }, 'down'],
    [{ ok: false as const, failure: 'http-status', status: 410 }, 'up'],
    [{ failure: 'blocked-address' }, 'unknown'],
    [{ failure: 'invalid-url' }, 'unknown'],
  ])('%j says the host is %s', (outcome, health) => {
    expect(hostHealthOf(outcome)).toBe(health);
  });
});
