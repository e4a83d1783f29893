/**
 * Audio library benchmark: prints throughput numbers, asserts nothing.
 *
 *   pnpm --filter @parley/media build && node services/media/dist/bench/audio-bench.js
 *
 * Opus and resampler figures are CPU time on one core (the event loop); "streams per
 * core" divides by 50 frames/s, the rate of one call direction.
 */
import { performance } from 'node:perf_hooks';
import {
  FRAME_SAMPLES,
  OpusDecoder,
  OpusEncoder,
  Recorder,
  Resampler,
  type ResamplerQuality,
  concatInt16,
  createAudioEngines,
  framesOf,
  generateTone,
  renderPrompt,
} from '../audio';

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function line(label: string, value: string): void {
  console.log(`${label.padEnd(48)} ${value}`);
}

/** A speech-like test signal: voiced harmonics with a moving pitch and some noise. */
function testSignal(seconds: number): Int16Array {
  const n = seconds * 48_000;
  const out = new Int16Array(n);
  let phase = 0;
  let seed = 1;
  for (let i = 0; i < n; i++) {
    const f0 = 120 + 40 * Math.sin((2 * Math.PI * i) / 48_000);
    phase += (2 * Math.PI * f0) / 48_000;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(h * phase) / h;
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    out[i] = Math.round(v * 5000 + (seed / 0x7fffffff - 0.5) * 800);
  }
  return out;
}

async function benchTts(): Promise<Int16Array> {
  const engines = createAudioEngines();
  // About 27 words: ten seconds at 160 words per minute.
  const text =
    'Thank you for calling Parley. Your call is important to us. Please stay on the line ' +
    'and the next available agent will be with you shortly. Calls may be recorded.';
  const started = performance.now();
  let firstFrameMs = -1;
  const frames: Int16Array[] = [];
  for await (const frame of renderPrompt({ kind: 'say', text }, { engines })) {
    if (firstFrameMs < 0) firstFrameMs = performance.now() - started;
    frames.push(frame);
  }
  const totalMs = performance.now() - started;
  const audioSec = (frames.length * FRAME_SAMPLES) / 48_000;
  line('TTS (espeak-ng) prompt length', `${audioSec.toFixed(2)} s of audio`);
  line('TTS first frame after', `${firstFrameMs.toFixed(1)} ms`);
  line(
    'TTS whole prompt rendered in',
    `${totalMs.toFixed(1)} ms (${(audioSec / (totalMs / 1000)).toFixed(0)}x real time)`,
  );
  const cachedStart = performance.now();
  let cachedFrames = 0;
  for await (const _frame of renderPrompt({ kind: 'say', text }, { engines })) cachedFrames++;
  line(
    'TTS same prompt again (cache)',
    `${(performance.now() - cachedStart).toFixed(2)} ms for ${cachedFrames} frames`,
  );
  return concatInt16(frames);
}

function benchOpus(signal: Int16Array): void {
  const frames = [...framesOf(signal)];
  const encoder = new OpusEncoder();
  const packets: Buffer[] = [];
  for (const frame of frames.slice(0, 50)) encoder.encode(frame); // warm-up
  let count = 0;
  const start = process.cpuUsage();
  while (cpuMs(start) < 2000) {
    for (const frame of frames) {
      const packet = encoder.encode(frame);
      if (packets.length < frames.length) packets.push(packet);
      count++;
    }
  }
  const encodeFps = count / (cpuMs(start) / 1000);
  encoder.delete();
  line('Opus encode (20 kbit/s, complexity 5, VOIP)', `${encodeFps.toFixed(0)} frames/s`);
  line('  => encoding streams per core', `${(encodeFps / 50).toFixed(0)}`);

  const decoder = new OpusDecoder();
  count = 0;
  const decodeStart = process.cpuUsage();
  while (cpuMs(decodeStart) < 2000) {
    for (const packet of packets) {
      decoder.decode(packet);
      count++;
    }
  }
  const decodeFps = count / (cpuMs(decodeStart) / 1000);
  decoder.delete();
  line('Opus decode', `${decodeFps.toFixed(0)} frames/s`);
  line('  => decoding streams per core', `${(decodeFps / 50).toFixed(0)}`);
  line(
    '  => full-duplex calls per core (Opus only)',
    `${(1 / (50 / encodeFps + 50 / decodeFps)).toFixed(0)}`,
  );
}

function benchResampler(from: number, to: number, quality: ResamplerQuality): void {
  const input = generateTone(440, 1000, { sampleRate: from });
  const resampler = new Resampler(from, to, quality);
  const out = new Int16Array(resampler.maxOutput(input.length) + 16);
  let outputSamples = 0;
  const start = process.cpuUsage();
  while (cpuMs(start) < 1000) {
    // 20 ms chunks, as in the recorder and the TTS stream.
    const chunk = Math.round(from / 50);
    for (let i = 0; i < input.length; i += chunk) {
      outputSamples += resampler.processInto(input.subarray(i, i + chunk), out, 0);
    }
  }
  const perSecond = outputSamples / (cpuMs(start) / 1000);
  line(
    `Resampler ${from} -> ${to} Hz (${quality})`,
    `${(perSecond / 1e6).toFixed(1)} M samples/s out (${(perSecond / to).toFixed(0)}x real time)`,
  );
}

async function benchRecorder(signal: Int16Array): Promise<void> {
  const recorder = await Recorder.create({ channels: 'dual' });
  const frames = [...framesOf(signal)];
  let t = 0;
  const start = process.cpuUsage();
  for (let round = 0; round < 5; round++) {
    for (const frame of frames) {
      recorder.push(0, frame, t);
      recorder.push(1, frame, t);
      t += 20;
    }
  }
  const used = cpuMs(start);
  const result = await recorder.finish();
  await result.dispose();
  const audioSec = t / 1000;
  line(
    'Recorder dual 48k -> 16k WAV (to temp file)',
    `${(audioSec / (used / 1000)).toFixed(0)}x real time (${audioSec} s in ${used.toFixed(0)} ms CPU)`,
  );
}

async function main(): Promise<void> {
  console.log(`Parley audio bench: node ${process.version}, ${process.arch}`);
  let signal: Int16Array;
  try {
    signal = await benchTts();
  } catch (error) {
    console.log(`TTS unavailable (${(error as Error).message}); using a synthetic signal`);
    signal = testSignal(10);
  }
  if (signal.length < 48_000) signal = testSignal(10);
  benchOpus(signal);
  benchResampler(22_050, 48_000, 'standard');
  benchResampler(8000, 48_000, 'standard');
  benchResampler(44_100, 48_000, 'standard');
  benchResampler(48_000, 16_000, 'fast');
  benchResampler(48_000, 16_000, 'standard');
  await benchRecorder(signal);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
