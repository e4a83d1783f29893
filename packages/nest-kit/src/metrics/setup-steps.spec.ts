import { Registry } from 'prom-client';
import { callSetupStepHistogram, SetupSteps } from './setup-steps';

describe('SetupSteps', () => {
  it('closes each step at the next mark and times overlapping steps apart', async () => {
    let t = 100;
    const steps = new SetupSteps(() => t);
    t = 103;
    expect(steps.mark('call_row')).toBe(3);
    t = 110.04;
    await steps.time('media_answer', () => {
      t = 118;
      return Promise.resolve();
    });
    t = 120;
    steps.mark('pre_accept');
    expect(steps.summary()).toEqual({ call_row: 3, media_answer: 8, pre_accept: 17 });
    expect(steps.elapsed()).toBe(20);
  });

  it('observes every step in parley_call_setup_step_seconds', async () => {
    const registry = new Registry();
    const histogram = callSetupStepHistogram(registry);
    let t = 0;
    const steps = new SetupSteps(() => t);
    t = 2;
    steps.mark('media_answer');
    steps.observe(histogram);
    const metric = await registry.getSingleMetricAsString('parley_call_setup_step_seconds');
    expect(metric).toContain('parley_call_setup_step_seconds_count{step="media_answer"} 1');
    expect(metric).toContain('parley_call_setup_step_seconds_sum{step="media_answer"} 0.002');
  });
});
