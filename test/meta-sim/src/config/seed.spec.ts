import { join } from 'node:path';
import { loadSeedFile } from './seed';

describe('seed config', () => {
  it('loads the demo config shipped in examples/', () => {
    const seed = loadSeedFile(join(__dirname, '../../examples/demo-config.json'));
    expect(seed.businesses?.[0]).toMatchObject({
      phoneNumberId: '518638374672395',
      webhookUrl: 'http://127.0.0.1:3000/meta/webhooks',
    });
    // The caller (inbound demo, REST) and the agent the IVR transfers to.
    expect(seed.permissions?.map((p) => p.waId)).toEqual(['15550100002', '15550100004']);
  });

  it('explains what is wrong with a bad file', () => {
    expect(() => loadSeedFile(join(__dirname, '../../fixtures/meta/meta-offer.sdp'))).toThrow(
      /cannot read META_SIM_CONFIG/,
    );
    expect(() =>
      loadSeedFile(join(__dirname, '../../fixtures/meta/user-initiated-connect.json')),
    ).toThrow(/invalid META_SIM_CONFIG/);
  });
});
