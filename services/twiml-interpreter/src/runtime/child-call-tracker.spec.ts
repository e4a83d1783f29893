import { ChildCallTracker } from './child-call-tracker';

describe('ChildCallTracker', () => {
  it('keeps the latest transition by sequence and a terminal state for good', () => {
    const tracker = new ChildCallTracker();
    tracker.report({ status: 'ringing', sequence: 2, durationSec: null, errorCode: null });
    // An older event arriving late changes nothing; nor does the dial reply after events.
    tracker.report({ status: 'initiated', sequence: 1, durationSec: null, errorCode: null });
    tracker.report({ status: 'queued', sequence: null, durationSec: null, errorCode: null });
    expect(tracker.state.status).toBe('ringing');
    tracker.report({ status: 'in-progress', sequence: 3, durationSec: null, errorCode: null });
    tracker.report({ status: 'completed', sequence: 4, durationSec: 9, errorCode: null });
    tracker.report({ status: 'failed', sequence: 5, durationSec: null, errorCode: 1 });
    expect(tracker.state).toEqual({
      status: 'completed',
      answered: true,
      durationSec: 9,
      errorCode: null,
    });
  });

  it('wakes a waiter on the state it waits for, and rejects it on abort', async () => {
    const tracker = new ChildCallTracker();
    const answered = tracker.until((s) => s.answered, new AbortController().signal);
    tracker.report({ status: 'ringing', sequence: 0, durationSec: null, errorCode: null });
    tracker.report({ status: 'in-progress', sequence: 1, durationSec: null, errorCode: null });
    await expect(answered).resolves.toMatchObject({ status: 'in-progress' });

    const controller = new AbortController();
    const ended = tracker.until((s) => s.status === 'completed', controller.signal);
    controller.abort(new Error('hung up'));
    await expect(ended).rejects.toThrow('hung up');
  });
});
