import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from '../testing/harness';
import { waitFor } from '../testing/wait';

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('webhook delivery', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.client.createUser({ waId: '15550100002' });
  });
  afterEach(async () => {
    await h.close();
  });

  it('signs the raw body with the app secret (sha256, and the legacy sha1)', async () => {
    await h.client.grantPermission('15550100002', h.business.phoneNumberId);
    await h.client.userCall('15550100002', h.business.phoneNumberId);
    await waitFor(() => h.receiver.received.length >= 2);
    for (const { headers, rawBody } of h.receiver.received) {
      const sha256 = createHmac('sha256', h.business.appSecret).update(rawBody).digest('hex');
      const sha1 = createHmac('sha1', h.business.appSecret).update(rawBody).digest('hex');
      expect(headers['x-hub-signature-256']).toBe(`sha256=${sha256}`);
      expect(headers['x-hub-signature']).toBe(`sha1=${sha1}`);
      expect(headers['content-type']).toBe('application/json');
    }
    const forged = createHmac('sha256', 'not-the-secret')
      .update(h.receiver.received[0]?.rawBody ?? '')
      .digest('hex');
    expect(h.receiver.received[0]?.headers['x-hub-signature-256']).not.toBe(`sha256=${forged}`);
  });

  it('retries a receiver that fails, then records the successful attempt', async () => {
    h.receiver.failNext = 2;
    await h.client.grantPermission('15550100002', h.business.phoneNumberId);
    const [delivery] = await waitFor(async () => {
      const list = await h.client.listWebhookDeliveries({
        kind: 'messages.call_permission_reply',
        state: 'delivered',
      });
      return list.length > 0 && list;
    });
    expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(h.receiver.received).toHaveLength(1);
    expect(h.receiver.received[0]?.rawBody.toString('utf8')).toBe(delivery?.body);
  });

  it('gives up after the configured retries when the receiver is unreachable', async () => {
    await h.client.updateBusiness(h.business.phoneNumberId, {
      webhookUrl: `http://127.0.0.1:${await deadPort()}/hook`,
    });
    await h.client.grantPermission('15550100002', h.business.phoneNumberId);
    const [failed] = await waitFor(async () => {
      const list = await h.client.listWebhookDeliveries({ state: 'failed' });
      return list.length > 0 && list;
    });
    expect(failed?.attempts).toHaveLength(4);
    expect(failed?.attempts.every((a) => a.status === null && a.error !== null)).toBe(true);
    expect(failed?.nextAttemptAt).toBeNull();
  });

  it('later attempts go to the URL configured at that time', async () => {
    const original = h.receiver.url;
    await h.client.updateBusiness(h.business.phoneNumberId, {
      webhookUrl: `http://127.0.0.1:${await deadPort()}/hook`,
    });
    await h.client.grantPermission('15550100002', h.business.phoneNumberId);
    await waitFor(async () => (await h.client.listWebhookDeliveries())[0]?.attempts.length === 1);
    await h.client.updateBusiness(h.business.phoneNumberId, { webhookUrl: original });
    const [delivery] = await waitFor(async () => {
      const list = await h.client.listWebhookDeliveries({ state: 'delivered' });
      return list.length > 0 && list;
    });
    expect(delivery?.attempts.at(-1)?.url).toBe(original);
  });

  it('performs the hub.challenge subscription check', async () => {
    const ok = await h.client.verifyWebhook(h.business.phoneNumberId);
    expect(ok).toMatchObject({ ok: true, status: 200, error: null });
    expect(ok.body).toBe(ok.challenge);
    h.receiver.verifyToken = 'something else';
    const refused = await h.client.verifyWebhook(h.business.phoneNumberId);
    expect(refused).toMatchObject({ ok: false, status: 403 });
  });
});
