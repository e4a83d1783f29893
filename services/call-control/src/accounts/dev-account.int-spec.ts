import { RestClient, startHarness } from '../testing/harness';

describe('development account from the environment', () => {
  it('is ensured at boot and its credentials work', async () => {
    const sid = 'AC' + '1'.repeat(32);
    const token = '2'.repeat(32);
    const h = await startHarness('dev-account', {
      peers: 'none',
      env: { PARLEY_DEV_ACCOUNT_SID: sid, PARLEY_DEV_AUTH_TOKEN: token },
    });
    try {
      const res = await new RestClient(h.url, sid, token).get(`/2010-04-01/Accounts/${sid}.json`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ sid, friendly_name: 'Development', auth_token: token });
      // Stored sealed, never in clear.
      const rows = await h.query<{ auth_token_sealed: string }>(
        'SELECT auth_token_sealed FROM call_control.accounts WHERE sid = $1',
        [sid],
      );
      expect(rows[0]?.auth_token_sealed).toMatch(/^v1\./);
      expect(rows[0]?.auth_token_sealed).not.toContain(token);

      // The interpreter signs with it: call-control hands it over on the bus, unsealed.
      const key = await h.bus.request(
        'calls.v1.account.signing-key',
        { accountSid: sid },
        { timeoutMs: 5_000 },
      );
      expect(key).toEqual({ accountSid: sid, authToken: token });
      await expect(
        h.bus.request(
          'calls.v1.account.signing-key',
          { accountSid: 'AC' + '9'.repeat(32) },
          { timeoutMs: 5_000 },
        ),
      ).rejects.toMatchObject({ code: 20404 });
    } finally {
      await h.close();
    }
  });
});
