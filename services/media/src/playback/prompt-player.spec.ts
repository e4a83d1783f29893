import { createAudioEngines, type AudioEngines } from '../audio';
import { DEFAULT_CODECS, type OutFrame } from '../legs/leg';
import { PromptPlayer, type PlayerLeg, type PlayFinished } from './prompt-player';

const SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);

function setup(state: PlayerLeg['state'] = 'connected') {
  const interrupts: number[] = [];
  const leg: PlayerLeg = {
    callSid: `CA${'1'.repeat(32)}` as PlayerLeg['callSid'],
    state,
    codecs: DEFAULT_CODECS,
    output: { interrupt: () => interrupts.push(1) },
  };
  const finished: PlayFinished[] = [];
  const engines: AudioEngines = createAudioEngines();
  const player = new PromptPlayer(leg, engines, SILENCE, (f) => finished.push(f));
  let tick = 100;
  /** Pulls frames like the media clock does, yielding to let rendering run. */
  const pull = async (n: number): Promise<(OutFrame | null)[]> => {
    const out: (OutFrame | null)[] = [];
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setImmediate(r));
      out.push(player.nextFrame(tick++));
    }
    return out;
  };
  return { leg, player, finished, pull, interrupts };
}

describe('PromptPlayer', () => {
  it('plays a prompt frame by frame, Opus-encoded, then reports it completed', async () => {
    const { player, finished, pull } = setup();
    player.enqueue('p1', { kind: 'silence', durationMs: 100 }, 1);
    const frames = (await pull(8)).filter((f): f is OutFrame => f !== null);
    expect(frames).toHaveLength(5);
    expect(frames.every((f) => f.packet.payloadType === 111 && f.source === 'prompt')).toBe(true);
    expect(frames[0]?.packet.marker).toBe(true);
    // Timestamps follow the clock: one 960-tick frame per tick.
    expect((frames[1]?.packet.timestamp ?? 0) - (frames[0]?.packet.timestamp ?? 0)).toBe(960);
    expect(finished).toEqual([
      { playId: 'p1', reason: 'completed', errorCode: null, playedMs: 100 },
    ]);
    expect(player.active).toBe(false);
  });

  it('waits for the leg to connect, so no syllable is lost', async () => {
    const { leg, player, finished, pull } = setup('answered');
    player.enqueue('p1', { kind: 'silence', durationMs: 40 }, 1);
    expect((await pull(5)).every((f) => f === null)).toBe(true);
    (leg as { state: PlayerLeg['state'] }).state = 'connected';
    expect((await pull(3)).filter(Boolean)).toHaveLength(2);
    expect(finished[0]?.playedMs).toBe(40);
  });

  it('loops, and stops on barge-in with what was played', async () => {
    const { player, finished, pull, interrupts } = setup();
    player.enqueue('loop', { kind: 'silence', durationMs: 40 }, 0);
    player.enqueue('next', { kind: 'silence', durationMs: 40 }, 1);
    await pull(6);
    expect(player.stop()).toBe(2);
    expect(interrupts).toHaveLength(1);
    expect(finished.map((f) => [f.playId, f.reason])).toEqual([
      ['loop', 'stopped'],
      ['next', 'stopped'],
    ]);
    expect(finished[0]?.playedMs).toBe(120);
    expect(finished[1]?.playedMs).toBe(0);
  });

  it('sends digits as RFC 4733 events: one timestamp per press, marker first, three ends', async () => {
    const { player, finished, pull } = setup();
    player.enqueue('d', { kind: 'digits', digits: '1w2' }, 1);
    const frames = (await pull(60)).filter((f): f is OutFrame => f !== null);
    const events = frames.filter((f) => f.packet.payloadType === 126);
    const presses = new Map<number, Buffer[]>();
    for (const e of events)
      presses.set(e.packet.timestamp, [
        ...(presses.get(e.packet.timestamp) ?? []),
        e.packet.payload,
      ]);
    expect([...presses.values()].map((p) => p[0]?.[0])).toEqual([1, 2]); // event codes
    for (const payloads of presses.values()) {
      expect(payloads.filter((p) => ((p[1] ?? 0) & 0x80) !== 0)).toHaveLength(3);
    }
    expect(events.filter((e) => e.packet.marker)).toHaveLength(2);
    // Between and around the presses the stream carries silence, not gaps.
    expect(frames.some((f) => f.packet.payload === SILENCE)).toBe(true);
    expect(finished[0]).toMatchObject({ playId: 'd', reason: 'completed' });
  });

  it('reports a prompt that cannot render as failed', async () => {
    const { player, finished, pull } = setup();
    // Loopback is refused (SSRF protection) unless allow-listed.
    player.enqueue('u', { kind: 'url', url: 'http://127.0.0.1:9/x.wav' }, 1);
    for (let i = 0; i < 200 && finished.length === 0; i++) await pull(1);
    expect(finished[0]).toMatchObject({ playId: 'u', reason: 'failed', playedMs: 0 });
    expect(finished[0]?.errorCode).toEqual(expect.any(Number));
  });

  it('refuses the same playId twice', () => {
    const { player } = setup();
    player.enqueue('x', { kind: 'silence', durationMs: 20 }, 1);
    expect(() => player.enqueue('x', { kind: 'silence', durationMs: 20 }, 1)).toThrow(
      'already playing',
    );
  });

  it('plays internal frames with a callback instead of an event', async () => {
    const { player, finished, pull } = setup();
    const done = new Promise((resolve) =>
      player.enqueueFrames('beep', [new Int16Array(960)], resolve),
    );
    await pull(3);
    await expect(done).resolves.toBe('completed');
    expect(finished).toEqual([]);
  });
});
