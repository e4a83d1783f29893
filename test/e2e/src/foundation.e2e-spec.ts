import {
  namespacedSubject,
  ServiceName,
  type HealthReportV1,
  type ServiceStoppingV1,
} from '@parley/contracts';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
} from '@parley/nest-kit/testing';
import { connect, type NatsConnection } from 'nats';
import { migrate, startService, type ServiceProcess } from './processes';
import { serviceEnv } from './stack';

interface StatusBody {
  self: HealthReportV1;
  services: {
    service: ServiceName;
    instances: { instanceId: string }[];
    probe: { ok: true; report: HealthReportV1 } | { ok: false; error: string };
  }[];
}

/**
 * The whole system as `./dev start` runs it: five built services, each its own process
 * with its own schema in one fresh database, talking over one NATS.
 */
describe('Parley foundation: five services on real PostgreSQL and NATS', () => {
  let db: TestDatabase;
  let nats: TestNatsNamespace;
  let nc: NatsConnection;
  const running = new Map<ServiceName, ServiceProcess>();
  const stopping: ServiceStoppingV1[] = [];
  const env = () => serviceEnv(db, nats, { MEDIASOUP_NUM_WORKERS: '2' });

  beforeAll(async () => {
    db = await createTestDatabase('e2e');
    // This file's own NATS namespace, passed to every process it starts.
    nats = await createTestNatsNamespace('e2e');
    nc = await connect({ servers: nats.url });
    const sub = nc.subscribe(namespacedSubject(nats.namespace, 'ops.v1.service.stopping'));
    void (async () => {
      for await (const m of sub) stopping.push(m.json<ServiceStoppingV1>());
    })();
    for (const name of ServiceName.options) await migrate(name, env());
    // Start them one by one: the later ones see the earlier ones' announcements, and
    // call-control (last) must learn of the rest by probing.
    for (const name of ServiceName.options) running.set(name, await startService(name, env()));
  }, 420_000);

  afterAll(async () => {
    for (const p of running.values()) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await nc?.drain();
    await nats?.drop();
    await db?.drop();
  });

  it.each(ServiceName.options)('%s is ready, with PostgreSQL and NATS checked', async (name) => {
    const res = await fetch(`${running.get(name)!.url}/readyz`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as HealthReportV1;
    expect(report.service).toBe(name);
    expect(report.checks.filter((c) => c.ok).map((c) => c.name)).toEqual(
      expect.arrayContaining(['postgres', 'nats']),
    );
  });

  it('media runs one mediasoup worker per configured core', async () => {
    const report = (await (
      await fetch(`${running.get('media')!.url}/readyz`)
    ).json()) as HealthReportV1;
    expect(report.checks.find((c) => c.name === 'mediasoup')).toMatchObject({
      ok: true,
      detail: '2/2 workers alive',
    });
  });

  it('media, started last, reaches every service with a typed request/reply over NATS', async () => {
    const body = (await (await fetch(`${running.get('media')!.url}/statusz`)).json()) as StatusBody;
    for (const name of ServiceName.options) {
      const entry = body.services.find((s) => s.service === name)!;
      expect(entry.probe).toMatchObject({ ok: true, report: { service: name, ready: true } });
    }
  });

  it('call-control, started first, heard every service announce itself (event round-trip)', async () => {
    const body = (await (
      await fetch(`${running.get('call-control')!.url}/statusz`)
    ).json()) as StatusBody;
    const heard = body.services.filter((s) => s.instances.length === 1).map((s) => s.service);
    expect(heard.sort()).toEqual([...ServiceName.options].sort());
  });

  it('stops cleanly on SIGTERM, saying goodbye on NATS first', async () => {
    const consent = running.get('consent')!;
    const instanceId = ((await (await fetch(`${consent.url}/readyz`)).json()) as HealthReportV1)
      .instanceId;
    consent.child.kill('SIGTERM');
    expect(await consent.exited).toBe(0);
    expect(stopping).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'consent', instanceId, reason: 'SIGTERM' }),
      ]),
    );
    const status = (await (
      await fetch(`${running.get('call-control')!.url}/statusz`)
    ).json()) as StatusBody;
    const entry = status.services.find((s) => s.service === 'consent')!;
    expect(entry.instances).toEqual([]);
    expect(entry.probe.ok).toBe(false);
  });
});
