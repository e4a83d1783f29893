import { classifyLogLine, redactLogLine, rtpengineArgs } from './rtpengine-process';

describe('rtpengine process', () => {
  it('runs a private, userspace-only rtpengine with two logical interfaces', () => {
    const args = rtpengineArgs({
      bin: '/usr/bin/rtpengine',
      ngHost: '127.0.0.1',
      ngPort: 22222,
      interfaces: [
        { name: 'whatsapp', address: '10.0.0.5', announced: '203.0.113.5' },
        { name: 'internal', address: '127.0.0.1' },
      ],
      portMin: 30000,
      portMax: 39999,
      logLevel: 4,
      mediaTimeoutSec: 60,
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '--config-file=none',
        '--foreground',
        '--table=-1',
        '--interface=whatsapp/10.0.0.5!203.0.113.5',
        '--interface=internal/127.0.0.1',
        '--listen-ng=127.0.0.1:22222',
        '--port-min=30000',
        '--port-max=39999',
        '--delete-delay=0',
        '--timeout=60',
      ]),
    );
    expect(args.some((a) => a.startsWith('--num-threads'))).toBe(false);
  });

  it('brackets an IPv6 ng address', () => {
    const args = rtpengineArgs({
      bin: 'rtpengine',
      ngHost: '::1',
      ngPort: 2223,
      interfaces: [{ name: 'default', address: '::1' }],
      portMin: 1,
      portMax: 2,
      logLevel: 6,
      mediaTimeoutSec: 30,
      numThreads: 2,
    });
    expect(args).toContain('--listen-ng=[::1]:2223');
    expect(args).toContain('--num-threads=2');
  });

  it.each([
    ['CRIT: [core] out of memory', 'error'],
    ['ERR: [CA1 port 30000]: [ice] bad things', 'warn'],
    ['WARNING: [CA1]: [core] ICE restart detected', 'warn'],
    ['NOTICE: [CA1]: [core] Creating new call', 'info'],
    ['INFO: [control] Received command', 'debug'],
    [
      'ERR: [CA1 port 30000]: [core] SRTP output wanted, but no crypto suite was negotiated',
      'debug',
    ],
    ['something without a level', 'debug'],
  ])('logs "%s" at %s', (line, level) => {
    expect(classifyLogLine(line)).toBe(level);
  });

  it('keeps ICE passwords and SDES keys out of logs', () => {
    const line = 'WARNING: dump a=ice-pwd:F6/jjqL0/8/Dzluc0IoZEQ== a=crypto:1 AES inline:abcdef==';
    expect(redactLogLine(line)).toBe(
      'WARNING: dump a=ice-pwd:[redacted] a=crypto:1 AES inline:[redacted]',
    );
  });
});
