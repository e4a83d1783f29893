import { type CallSid } from '@parley/contracts';
import { postgresOptions } from '@parley/nest-kit';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { service } from '../service';
import {
  type Harness,
  provisionTenant,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';
import { CallEffects } from './call-effects.service';

interface EffectRow {
  kind: string;
  status: string;
  attempts: number;
}

describe('call side effects are driven from committed records and retried until done', () => {
  let h: Harness;
  let t: Tenant;
  let userSeq = 0;
  const newUser = async () => {
    userSeq += 1;
    const waId = `55249870001${String(10 + userSeq)}`;
    await h.simClient.createUser({ waId, name: 'Effects User' });
    return waId;
  };

  const effect = async (callSid: string, kind: string): Promise<EffectRow | undefined> => {
    const rows = await h.query<EffectRow>(
      'SELECT kind, status, attempts FROM call_control.call_effects WHERE call_sid = $1 AND kind = $2',
      [callSid, kind],
    );
    return rows[0];
  };

  /** A user calls, the interpreter gets the call and accepts it: in progress. */
  const answeredCall = async (): Promise<{ callSid: string; metaCallId: string; waId: string }> => {
    const waId = await newUser();
    const { callId } = await h.simClient.userCall(waId, t.business.phoneNumberId);
    const session = await waitFor(
      () => h.peers.sessions.find((s) => s.parameters.From === `whatsapp:+${waId}`),
      'the interpreter session',
    );
    await h.bus.request(
      'calls.v1.call.accept',
      { callSid: session.callSid },
      { timeoutMs: 10_000 },
    );
    return { callSid: session.callSid, metaCallId: callId, waId };
  };

  const endFromApi = async (callSid: string) => {
    const res = await h
      .rest(t.account)
      .post(`/2010-04-01/Accounts/${t.account.sid}/Calls/${callSid}.json`, {
        Status: 'completed',
      });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed');
  };

  const endedAtMeta = (metaCallId: string, what: string) =>
    waitFor(async () => {
      const c = await h.simClient.getCall(metaCallId);
      return c.status === 'ended' ? c : undefined;
    }, what);

  beforeAll(async () => {
    h = await startHarness('effects', {
      graphFaults: true,
      env: {
        // One Graph request per attempt, so the relay's counts are attempts.
        META_GRAPH_MAX_ATTEMPTS: '1',
        CALL_EFFECT_POLL_MS: '100',
        CALL_EFFECT_RETRY_BASE_MS: '50',
        CALL_EFFECT_MAX_ATTEMPTS: '5',
      },
    });
    t = await provisionTenant(h);
  });

  afterAll(async () => {
    await h.close();
  });

  it('keeps telling Meta to terminate a call it ended until Meta takes it', async () => {
    const { callSid, metaCallId } = await answeredCall();
    h.graph?.fail('terminate', 3);
    await endFromApi(callSid);
    const sim = await endedAtMeta(metaCallId, 'Meta to take the fourth terminate');
    expect(sim.endReason).toBe('business_terminate');
    expect(h.graph?.count('terminate', metaCallId)).toBe(4);
    await waitFor(
      async () => (await effect(callSid, 'meta.terminate'))?.status === 'done',
      'the effect to be done',
    );
    expect(await effect(callSid, 'meta.terminate')).toEqual({
      kind: 'meta.terminate',
      status: 'done',
      attempts: 4,
    });
    // media freed the leg as part of the same ending.
    expect((await effect(callSid, 'media.close'))?.status).toBe('done');
    expect(h.peers.closedLegs).toContain(callSid);
  });

  it('dead-letters a terminate Meta keeps failing, counts it, and sends it once re-driven', async () => {
    const { callSid, metaCallId } = await answeredCall();
    h.graph?.fail('terminate', Infinity);
    await endFromApi(callSid);
    await waitFor(
      async () => (await effect(callSid, 'meta.terminate'))?.status === 'dead',
      'the terminate to be dead-lettered',
    );
    expect((await effect(callSid, 'meta.terminate'))?.attempts).toBe(5);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(
      /parley_call_effects_total\{[^}]*kind="meta\.terminate"[^}]*outcome="dead"[^}]*\} 1\b/,
    );
    expect((await h.simClient.getCall(metaCallId)).status).not.toBe('ended');

    h.graph?.heal();
    const ds = h.app.app.get<DataSource>(getDataSourceToken());
    expect(await CallEffects.redrive(ds, callSid)).toBe(1);
    const sim = await endedAtMeta(metaCallId, 'the re-driven terminate');
    expect(sim.endReason).toBe('business_terminate');
  });

  it('resumes an inbound set-up where it stopped: media answers once, pre_accept is retried, the interpreter gets the call', async () => {
    h.graph?.fail('pre_accept', 2);
    const waId = await newUser();
    const { callId } = await h.simClient.userCall(waId, t.business.phoneNumberId);
    const session = await waitFor(
      () => h.peers.sessions.find((s) => s.parameters.From === `whatsapp:+${waId}`),
      'the interpreter session after two failed pre_accepts',
    );
    expect(h.graph?.count('pre_accept', callId)).toBe(3);
    expect((await h.simClient.getCall(callId)).status).toBe('pre_accepted');
    const answers = await h.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM call_control.call_events WHERE call_sid = $1 AND type = 'media' AND name = 'leg.answer'",
      [session.callSid],
    );
    expect(answers[0]?.n).toBe(1);
    const call = await h
      .rest(t.account)
      .get(`/2010-04-01/Accounts/${t.account.sid}/Calls/${session.callSid}.json`);
    expect(call.body.status).toBe('ringing');
    expect(await effect(session.callSid, 'inbound.setup')).toEqual({
      kind: 'inbound.setup',
      status: 'done',
      attempts: 3,
    });
  });

  it('ends a call whose media leg failed: failed with 53405, terminated at Meta, leg freed', async () => {
    const { callSid, metaCallId } = await answeredCall();
    const failedAt = new Date().toISOString();
    // As media publishes it: durable, de-duplicated by the leg's row id.
    await h.bus.publishDurable(
      'media.v1.leg.failed',
      { callSid: callSid as CallSid, reason: 'failed: media activity ceased', failedAt },
      { msgId: `leg-failed:${callSid}` },
    );
    const [ended] = await waitFor(async () => {
      const rows = await h.query<{ status: string; error_code: number | null }>(
        'SELECT status, error_code FROM call_control.calls WHERE sid = $1',
        [callSid],
      );
      return rows[0]?.status === 'failed' ? rows : undefined;
    }, 'the call to fail');
    expect(ended?.error_code).toBe(53405);
    const sim = await endedAtMeta(metaCallId, 'Meta to be told');
    expect(sim.endReason).toBe('business_terminate');
    await waitFor(() => h.peers.closedLegs.includes(callSid), 'the leg to be closed');
  });

  it('runs an effect a crashed instance had claimed as soon as the instance is back', async () => {
    const { callSid, metaCallId } = await answeredCall();
    h.graph?.fail('terminate', Infinity);
    await endFromApi(callSid);
    await waitFor(
      async () => ((await effect(callSid, 'meta.terminate'))?.attempts ?? 0) >= 1,
      'a first, failed terminate',
    );
    await h.restart(async () => {
      // What SIGKILL in the middle of an attempt leaves: the effect leased for an hour by
      // this instance, and Meta not told.
      const ds = new DataSource(
        postgresOptions({ url: h.db.url, applicationName: 'cc-test', database: service.database }),
      );
      await ds.initialize();
      await ds.query(
        `UPDATE call_control.call_effects
           SET status = 'pending', attempts = 1, claimed_by = $2,
               next_attempt_at = now() + interval '1 hour'
         WHERE call_sid = $1 AND kind = 'meta.terminate'`,
        [callSid, 'cc-test-effects'],
      );
      await ds.destroy();
      h.graph?.heal();
    });
    await h.simClient.updateBusiness(t.business.phoneNumberId, {
      webhookUrl: `${h.url}/meta/webhooks`,
    });
    const sim = await endedAtMeta(metaCallId, 'the restarted instance to terminate the call');
    expect(sim.endReason).toBe('business_terminate');
    await waitFor(
      async () => (await effect(callSid, 'meta.terminate'))?.status === 'done',
      'the effect to be done',
    );
  });
});
