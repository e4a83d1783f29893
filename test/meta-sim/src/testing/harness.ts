import { MetaSimClient } from '../client/meta-sim-client';
import type { MetaSimOptions } from '../config/options';
import { BusinessMediaPeer, type BusinessMediaPeerOptions } from '../media/business-media-peer';
import { startMetaSim, type RunningMetaSim } from '../server';
import type { BusinessRecord } from '../sim/types';
import { TestGraphClient } from './graph-client';
import { WebhookReceiver } from './webhook-receiver';

export interface Harness {
  sim: RunningMetaSim;
  client: MetaSimClient;
  receiver: WebhookReceiver;
  business: BusinessRecord;
  graph: TestGraphClient;
  /** A business-side WebRTC peer, closed with the harness. */
  businessPeer(options?: BusinessMediaPeerOptions): Promise<BusinessMediaPeer>;
  close(): Promise<void>;
}

/** Short timers so the suite stays fast; every test file starts its own simulator on a free port. */
export const FAST: MetaSimOptions = {
  port: 0,
  logLevel: 'silent',
  ringTimeoutMs: 4000,
  // Long enough that a loaded machine never fails a good call; failure tests shorten it.
  mediaTimeoutMs: 5000,
  acceptedStatusDelayMs: 500,
  webhookRetryDelaysMs: [50, 100, 200],
  webhookTimeoutMs: 2000,
};

/** A simulator, one business number whose webhooks reach a local receiver, and its Graph client. */
export async function startHarness(options: MetaSimOptions = {}): Promise<Harness> {
  const receiver = await new WebhookReceiver().start();
  const sim = await startMetaSim({ ...FAST, ...options });
  const client = new MetaSimClient(sim.url);
  const business = await client.createBusiness({
    displayPhoneNumber: '15550100001',
    webhookUrl: receiver.url,
  });
  receiver.verifyToken = business.verifyToken;
  const peers: BusinessMediaPeer[] = [];
  return {
    sim,
    client,
    receiver,
    business,
    graph: new TestGraphClient(sim.url, business),
    async businessPeer(peerOptions = {}) {
      const peer = await BusinessMediaPeer.create(peerOptions);
      peers.push(peer);
      return peer;
    },
    async close() {
      await Promise.all(peers.map((p) => p.close()));
      await sim.close();
      await receiver.close();
    },
  };
}
