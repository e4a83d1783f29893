const base = require('../../jest.preset').preset('int', __dirname);

module.exports = {
  ...base,
  // Real WebRTC peers, rtpengine and mediasoup: a file may need a while.
  testTimeout: 90_000,
  // werift 0.24.4 keeps retransmitting DTLS flights of a closed peer on uncancellable
  // timers (up to ~27 s); without this jest waits for them after the last test.
  forceExit: true,
};
