import { randomUUID } from 'node:crypto';
import { eventually, MediaHarness } from '../testing/media-harness';

/**
 * Legs of a media instance that died for good: its lease lapses, and a live instance
 * fails its open legs and publishes their failures, so call-control ends the calls.
 * The dead and the living-elsewhere instances are rows, as a crashed pod leaves them.
 */
describe('legs of media instances that died', () => {
  let media: MediaHarness;

  beforeAll(async () => {
    // Renewed and swept every 500 ms.
    media = await MediaHarness.start({
      label: 'media_takeover',
      env: { MEDIA_INSTANCE_LEASE_MS: '1500' },
      rtpenginePorts: [31_400, 31_499],
      mediasoupPorts: [42_400, 42_499],
    });
  });

  afterAll(async () => {
    await media?.stop();
  });

  async function openLeg(instanceId: string): Promise<string> {
    const callSid = MediaHarness.callSid();
    await media.query(
      `INSERT INTO media.whatsapp_legs (id, call_sid, instance_id, direction, state, router_id)
       VALUES ($1, $2, $3, 'inbound', 'connected', $4)`,
      [randomUUID(), callSid, instanceId, randomUUID()],
    );
    return callSid;
  }

  async function lease(instanceId: string, expiresInSeconds: number): Promise<void> {
    await media.query(
      `INSERT INTO media.instance_leases (instance_id, expires_at)
       VALUES ($1, now() + make_interval(secs => $2))`,
      [instanceId, expiresInSeconds],
    );
  }

  const legState = async (callSid: string) =>
    (
      await media.query<{ state: string; end_reason: string | null; failure_pending: boolean }>(
        `SELECT state, end_reason, failure_pending FROM media.whatsapp_legs WHERE call_sid = $1`,
        [callSid],
      )
    )[0];

  it("fails a dead instance's open legs, publishes their failures, and forgets the lease", async () => {
    await lease('media-dead', -5);
    const lost = await openLeg('media-dead');

    const failed = await media.waitForEvent('media.v1.leg.failed', (e) => e.callSid === lost);
    expect(failed.reason).toBe('media instance lost');
    const row = await eventually('the outbox row published', async () => {
      const r = await legState(lost);
      return r && !r.failure_pending ? r : undefined;
    });
    expect(row).toMatchObject({ state: 'failed', end_reason: 'media instance lost' });
    await eventually('the lapsed lease forgotten', async () =>
      (await media.query(`SELECT 1 FROM media.instance_leases WHERE instance_id = 'media-dead'`))
        .length === 0
        ? true
        : undefined,
    );
    expect(await media.metric('parley_media_legs_of_lost_instances_total')).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('leaves alone the legs of an instance whose lease holds, and of one that never had a lease', async () => {
    await lease('media-alive', 3600);
    const alive = await openLeg('media-alive');
    // An instance of a version before leases: nothing says it died.
    const unleased = await openLeg('media-before-leases');
    // A leg failed after these were written proves a sweep ran since.
    await lease('media-dead-later', -1);
    const marker = await openLeg('media-dead-later');
    await media.waitForEvent('media.v1.leg.failed', (e) => e.callSid === marker);

    expect(await legState(alive)).toMatchObject({ state: 'connected', failure_pending: false });
    expect(await legState(unleased)).toMatchObject({ state: 'connected', failure_pending: false });
    const failedCalls = media.eventsOf('media.v1.leg.failed', () => true).map((e) => e.callSid);
    expect(failedCalls).toContain(marker);
    expect(failedCalls).not.toContain(alive);
    expect(failedCalls).not.toContain(unleased);
  });

  it('keeps its own lease renewed while it runs', async () => {
    const instanceId = media.running.env.INSTANCE_ID;
    const [first] = await media.query<{ renewed_at: Date; expires_at: Date }>(
      `SELECT renewed_at, expires_at FROM media.instance_leases WHERE instance_id = $1`,
      [instanceId],
    );
    expect(first).toBeDefined();
    await eventually('the lease renewed', async () => {
      const [now] = await media.query<{ renewed_at: Date; live: boolean }>(
        `SELECT renewed_at, expires_at > now() AS live FROM media.instance_leases WHERE instance_id = $1`,
        [instanceId],
      );
      return now && now.live && now.renewed_at.getTime() > first!.renewed_at.getTime()
        ? true
        : undefined;
    });
  });
});
