import { type DecodedDict, type DecodedValue } from './bencode';
import { NgCommandError, type NgClient } from './ng-client';

/** The ng flags Parley uses for offer and answer (rtpengine's own key names). */
export interface NgSdpRequest {
  callId: string;
  fromTag: string;
  toTag?: string;
  sdp: string;
  ice?: 'remove' | 'force' | 'force-relay' | 'optional';
  dtls?: 'off' | 'passive' | 'active';
  sdes?: string[];
  transportProtocol?: 'RTP/AVP' | 'UDP/TLS/RTP/SAVPF';
  rtcpMux?: ('offer' | 'require' | 'demux' | 'accept' | 'reject')[];
  /** Logical interfaces: [where the SDP's sender is, where the SDP goes]. */
  direction?: [string, string];
  /** rtpengine itself acts as an ICE-lite agent on the side the SDP goes to. */
  iceLite?: 'forward' | 'backward' | 'both' | 'off';
  flags?: string[];
}

function toNg(req: NgSdpRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {
    'call-id': req.callId,
    'from-tag': req.fromTag,
    sdp: req.sdp,
  };
  if (req.toTag !== undefined) out['to-tag'] = req.toTag;
  if (req.ice) out.ICE = req.ice;
  if (req.iceLite) out['ICE-lite'] = req.iceLite;
  if (req.dtls) out.DTLS = req.dtls;
  if (req.sdes) out.SDES = req.sdes;
  if (req.transportProtocol) out['transport-protocol'] = req.transportProtocol;
  if (req.rtcpMux) out['rtcp-mux'] = req.rtcpMux;
  if (req.direction) out.direction = req.direction;
  if (req.flags) out.flags = req.flags;
  return out;
}

function sdpOf(command: string, reply: DecodedDict): string {
  const sdp = reply.sdp;
  if (typeof sdp !== 'string') throw new NgCommandError(command, 'reply carries no SDP');
  return sdp;
}

function numberAt(value: DecodedValue | undefined, ...path: string[]): number | undefined {
  let v: DecodedValue | undefined = value;
  for (const key of path) {
    if (v === undefined || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = v[key];
  }
  return typeof v === 'number' ? v : undefined;
}

/** rtpengine's commands, typed. One instance per rtpengine. */
export class RtpengineControl {
  constructor(readonly client: NgClient) {}

  async ping(): Promise<void> {
    const reply = await this.client.request({ command: 'ping' });
    if (reply.result !== 'pong') {
      throw new NgCommandError('ping', `answered ${JSON.stringify(reply.result)}`);
    }
  }

  /** Returns the SDP rtpengine rewrote for the other side. */
  async offer(req: NgSdpRequest): Promise<string> {
    return sdpOf('offer', await this.client.request({ command: 'offer', ...toNg(req) }));
  }

  async answer(req: NgSdpRequest & { toTag: string }): Promise<string> {
    return sdpOf('answer', await this.client.request({ command: 'answer', ...toNg(req) }));
  }

  /**
   * Deletes a whole call at once (no delete delay, so its ports are free when this
   * resolves). Returns false when rtpengine did not know the call.
   */
  async delete(callId: string): Promise<boolean> {
    const reply = await this.client.request({
      command: 'delete',
      'call-id': callId,
      'delete-delay': 0,
    });
    return reply.warning === undefined;
  }

  /** SSRCs rtpengine has seen on the call, by tag (media that arrived). */
  async query(callId: string): Promise<DecodedDict> {
    return this.client.request({ command: 'query', 'call-id': callId });
  }

  /** Call-ids rtpengine currently holds. */
  async list(limit = 100_000): Promise<string[]> {
    const reply = await this.client.request({ command: 'list', limit });
    const calls = reply.calls;
    return Array.isArray(calls) ? calls.filter((c): c is string => typeof c === 'string') : [];
  }

  /** Sessions this rtpengine owns right now. */
  async sessionCount(): Promise<number> {
    const reply = await this.client.request({ command: 'statistics' });
    const n = numberAt(reply.statistics, 'currentstatistics', 'sessionsown');
    if (n === undefined) throw new NgCommandError('statistics', 'no currentstatistics.sessionsown');
    return n;
  }
}
