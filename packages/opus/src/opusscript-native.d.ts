/**
 * Types for opusscript's Emscripten module (the wasm build of libopus that `opusscript`
 * wraps). Parley drives it directly: opusscript's own wrapper keeps typed-array views of
 * the wasm heap that go stale when the heap grows, which breaks every existing encoder as
 * soon as enough calls have been created. See opus.ts.
 */
declare module 'opusscript/build/opusscript_native_wasm.js' {
  interface OpusScriptHandler {
    /** PCM input is one byte per 16-bit heap slot (opusscript's layout); returns bytes. */
    _encode(pcmPointer: number, pcmBytes: number, packetPointer: number, frameSize: number): number;
    /** PCM output is one byte per 16-bit heap slot; returns samples per channel. */
    _decode(packetPointer: number, packetBytes: number, pcmPointer: number): number;
    _encoder_ctl(ctl: number, arg: number): number;
    _decoder_ctl(ctl: number, arg: number): number;
  }
  interface OpusNativeModule {
    readonly HEAPU8: Uint8Array;
    readonly HEAPU16: Uint16Array;
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    OpusScriptHandler: {
      new (sampleRate: number, channels: number, application: number): OpusScriptHandler;
      destroy_handler(handler: OpusScriptHandler): void;
    };
  }
  const createModule: () => OpusNativeModule;
  export = createModule;
}
