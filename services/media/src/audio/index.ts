/**
 * Parley's audio library: codecs, prompts, tones, DTMF and recording. Audio inside Parley
 * is PCM signed 16-bit, 48 kHz, mono, in 20 ms frames of 960 samples (see pcm.ts).
 */
export * from './pcm';
export * from './resample';
export * from './g711';
export * from './wav';
export * from '@parley/opus';
export * from './tones';
export * from './ringback';
export * from './dtmf';
export * from './mp3';
export * from './audio-file';
export * from './pcm-cache';
export * from './prompt-renderer';
export * from './recorder';
export * from './tts/voices';
export * from './tts/text';
export * from './tts/espeak';
export * from './url/url-audio';
