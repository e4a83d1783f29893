const base = require('../../jest.preset').preset('int', __dirname);

module.exports = {
  ...base,
  // Whole-flow tests with a simulated WhatsApp on real WebRTC take a few seconds each.
  testTimeout: 60_000,
  // werift 0.24.4 keeps retransmitting DTLS flights of a closed peer on uncancellable
  // timers (up to ~27 s); without this jest waits for them after the last test.
  forceExit: true,
};
