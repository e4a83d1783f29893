import { CliUsageError, parseArgs, runCli } from './run-cli';

describe('CLI arguments', () => {
  it('reads positionals, --flag value, --flag=value and boolean flags', () => {
    const parsed = parseArgs([
      'call',
      '--from-user',
      '155',
      '--to-business=99',
      '--permanent',
      'extra',
    ]);
    expect(parsed.positional).toEqual(['call', 'extra']);
    expect(Object.fromEntries(parsed.flags)).toEqual({
      'from-user': '155',
      'to-business': '99',
      permanent: true,
    });
  });

  it('refuses a flag without its value, unknown flags and unknown commands', async () => {
    expect(() => parseArgs(['call', '--from-user'])).toThrow(CliUsageError);
    expect(() => parseArgs(['call', '--from-usr', '1'])).toThrow(/Unknown option '--from-usr'/);
    expect(() => parseArgs(['call', '--permanent=yes'])).toThrow(CliUsageError);
    await expect(runCli(['no-such-command'], {})).rejects.toThrow(/unknown command/);
  });
});
