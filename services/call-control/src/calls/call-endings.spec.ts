import { hangupPlan } from './call-endings.service';

describe('hangupPlan', () => {
  it('completes an answered call by terminating it at Meta', () => {
    expect(hangupPlan({ direction: 'inbound', status: 'in-progress' })).toEqual({
      to: 'completed',
      meta: 'terminate',
    });
    expect(hangupPlan({ direction: 'outbound-api', status: 'in-progress' })).toEqual({
      to: 'completed',
      meta: 'terminate',
    });
  });

  it('declines an unanswered inbound call and cancels an unanswered outbound one', () => {
    expect(hangupPlan({ direction: 'inbound', status: 'ringing' })).toEqual({
      to: 'completed',
      meta: 'reject',
    });
    expect(hangupPlan({ direction: 'outbound-api', status: 'ringing' })).toEqual({
      to: 'canceled',
      meta: 'terminate',
    });
    expect(hangupPlan({ direction: 'outbound-dial', status: 'queued' })).toEqual({
      to: 'canceled',
      meta: 'terminate',
    });
  });
});
