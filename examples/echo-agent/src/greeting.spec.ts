import { existsSync } from 'node:fs';
import { chime, makeGreeting } from './greeting';

describe('the greeting', () => {
  it('is a chime when espeak-ng cannot be run', async () => {
    const greeting = await makeGreeting('hello', { espeak: '/nonexistent/espeak-ng' });
    expect(greeting.source).toBe('tone');
    expect(greeting.audio.equals(chime())).toBe(true);
    expect(greeting.audio.length).toBe(4000); // 0.5 s of 8 kHz mu-law
  });

  const withEspeak = existsSync('/usr/bin/espeak-ng') ? it : it.skip;
  withEspeak('is spoken by espeak-ng when it is installed, at 8 kHz mu-law', async () => {
    const greeting = await makeGreeting('Hello from Parley.');
    expect(greeting.source).toBe('espeak-ng');
    // A short sentence: between half a second and five seconds of audio, not silence.
    expect(greeting.audio.length).toBeGreaterThan(4000);
    expect(greeting.audio.length).toBeLessThan(40_000);
    expect(greeting.audio.some((b) => b !== 0xff && b !== 0x7f)).toBe(true);
  });
});
