import { BusRequestError, ParleyError } from '@parley/contracts';
import { MetaGraphError } from '@parley/meta-graph';
import {
  endEffects,
  metaRefusedForGood,
  retryDelayMs,
  serviceUnreachable,
} from './call-effect-policy';

const apiError = (httpStatus: number, metaCode: number) =>
  new MetaGraphError('terminate', 'api', 'no', { httpStatus, metaCode, sent: 'yes' });

describe('call effect policy', () => {
  it('ends a call by telling Meta as asked (when Meta knows the call) and freeing media', () => {
    expect(endEffects('terminate', 'wacid.1')).toEqual([
      { kind: 'meta.terminate', detail: { metaCallId: 'wacid.1' } },
      { kind: 'media.close' },
    ]);
    expect(endEffects('reject', 'wacid.2')[0]).toEqual({
      kind: 'meta.reject',
      detail: { metaCallId: 'wacid.2' },
    });
    expect(endEffects('terminate', null)).toEqual([{ kind: 'media.close' }]);
    expect(endEffects('none', 'wacid.3')).toEqual([{ kind: 'media.close' }]);
  });

  it('backs off by doubling from the base, capped at a minute', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 500))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(30, 500)).toBe(60_000);
  });

  it('stops retrying Meta only on a client error that is not a rate limit', () => {
    expect(metaRefusedForGood(apiError(400, 100))).toBe(true);
    expect(metaRefusedForGood(apiError(500, 2))).toBe(false);
    expect(metaRefusedForGood(apiError(429, 4))).toBe(false);
    expect(metaRefusedForGood(apiError(400, 130429))).toBe(false);
    expect(
      metaRefusedForGood(new MetaGraphError('terminate', 'timeout', 'slow', { sent: 'maybe' })),
    ).toBe(false);
    expect(metaRefusedForGood(new Error('boom'))).toBe(false);
  });

  it('retries another service only when it could not be reached', () => {
    const wrap = (kind: BusRequestError['kind']) =>
      new ParleyError(53401, 'media', {
        cause: new BusRequestError('media.v1.leg.close', kind, 'x'),
      });
    expect(serviceUnreachable(wrap('no-responders'))).toBe(true);
    expect(serviceUnreachable(wrap('timeout'))).toBe(true);
    expect(serviceUnreachable(wrap('remote-error'))).toBe(false);
    expect(serviceUnreachable(new ParleyError(20404, 'gone'))).toBe(false);
  });
});
