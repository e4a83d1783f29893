export { parseWav, resample, tone } from './audio';
export { startEchoAgent, type EchoAgent, type EchoAgentOptions } from './echo-agent';
export { EchoSession, type AgentMessage, type EchoOptions } from './echo-session';
export { chime, makeGreeting, type Greeting } from './greeting';
export { decodeMulaw, encodeMulaw, linearToMulaw, mulawRms, mulawToLinear } from './mulaw';
