export {
  OPUS_FRAME_SAMPLES,
  OPUS_SAMPLE_RATE,
  OpusDecoder,
  OpusEncoder,
  OpusError,
  opusHeapBytes,
  type OpusEncoderOptions,
} from './opus';
