import { startService, type ServiceProcess } from './processes';
import { Stack, until } from './stack';
import { twiml, TwimlApp } from './twiml-app';

const ACCOUNT_SID = 'AC0e2e0000000000000000000000000f01';
const AUTH_TOKEN = '0e2e0000000000000000000000000f01';
const BUSINESS_NUMBER = '15550100411';
const CALLER = '15550100412';

async function metric(service: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  // Every sample carries the service's default labels: `name{service="..."} value`.
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/**
 * Two interpreter replicas: a REST redirect reaches either (NATS queue group). When it
 * reaches the replica that does not run the call, that replica takes the call over and
 * the other stops its document without ending the call, so one call never runs two
 * documents at once.
 */
describe('a call redirected across two interpreter replicas', () => {
  let stack: Stack;
  let second: ServiceProcess;
  const app = new TwimlApp(AUTH_TOKEN);
  let phoneNumberId: string;

  beforeAll(async () => {
    await app.start();
    stack = await Stack.start({
      name: 'replicas',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      services: ['call-control', 'media', 'twiml-interpreter', 'consent'],
    });
    second = await startService('twiml-interpreter', stack.env);
    const sender = await stack.sender({ number: BUSINESS_NUMBER, voiceUrl: `${app.url}/voice` });
    phoneNumberId = sender.phoneNumberId;
    await stack.simClient.createUser({ waId: CALLER });
  }, 420_000);

  afterAll(async () => {
    if (second?.child.exitCode === null) second.child.kill('SIGTERM');
    await second?.exited;
    await stack?.stop();
    await app.stop();
  }, 30_000);

  it('runs each redirect on one replica only, and the call goes on until its TwiML ends it', async () => {
    const replicas = [stack.processes.get('twiml-interpreter')!, second];
    const active = async () =>
      Promise.all(replicas.map((r) => metric(r, 'parley_twiml_sessions_active')));
    const moved = async () =>
      (
        await Promise.all(replicas.map((r) => metric(r, 'parley_twiml_sessions_moved_total')))
      ).reduce((a, b) => a + b);
    // Every document waits for ten minutes: only a redirect moves the call on.
    app.routes.set('/voice', () => twiml('<Response><Pause length="600"/></Response>'));
    const { callId } = await stack.simClient.userCall(CALLER, phoneNumberId);
    const voice = await until('the first TwiML request', () =>
      app.requests.find((r) => r.path === '/voice'),
    );
    const callSid = voice.params.CallSid!;
    const callPath = stack.accountPath(`/Calls/${callSid}.json`);
    await until('the call in progress', async () =>
      (await stack.restOk('GET', callPath)).status === 'in-progress' ? true : undefined,
    );

    // The queue group picks a replica at random: redirect until one landed on the replica
    // that did not run the call (twice as likely as not on each try).
    for (let i = 1; (await moved()) === 0; i++) {
      if (i > 30) throw new Error('30 redirects all reached the replica that ran the call');
      app.routes.set(`/r${i}`, () => twiml('<Response><Pause length="600"/></Response>'));
      await stack.restOk('POST', callPath, { Url: `${app.url}/r${i}`, Method: 'POST' });
      await until(`the TwiML of redirect ${i}`, () =>
        app.requests.find((r) => r.path === `/r${i}`),
      );
      const running = await until('exactly one replica to run the call', async () => {
        const counts = await active();
        return counts[0]! + counts[1]! === 1 ? counts : undefined;
      });
      expect(running.sort()).toEqual([0, 1]);
    }
    expect((await stack.restOk('GET', callPath)).status).toBe('in-progress');

    app.routes.set('/bye', () => twiml('<Response><Hangup/></Response>'));
    await stack.restOk('POST', callPath, { Url: `${app.url}/bye`, Method: 'POST' });
    expect(await stack.callEnded(callSid)).toBe('completed');
    await stack.simClient.waitForCall(callId, (c) => c.status === 'ended', 30_000);
    expect(app.requests.filter((r) => !r.validSignature)).toEqual([]);
    await until('both replicas done with the call', async () =>
      (await active()).every((n) => n === 0) ? true : undefined,
    );
  }, 240_000);
});
