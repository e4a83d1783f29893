import {
  spawn,
  type ChildProcess,
  type SpawnOptionsWithStdioTuple,
  type StdioNull,
  type StdioPipe,
} from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface RtpengineInterface {
  /** Logical name used in the ng `direction` flag. */
  name: string;
  /** Local address rtpengine binds media ports on. */
  address: string;
  /** Address written into SDP instead (public address behind 1:1 NAT). */
  announced?: string;
}

export interface RtpengineProcessOptions {
  bin: string;
  /**
   * util-linux `setpriv`, used to give rtpengine a parent-death signal: if this process
   * is killed outright, rtpengine stops too instead of holding its ports. Null: none.
   */
  setprivBin?: string | null;
  ngHost: string;
  ngPort: number;
  interfaces: RtpengineInterface[];
  portMin: number;
  portMax: number;
  /** syslog level 0-7. */
  logLevel: number;
  /** Seconds without media after which rtpengine drops a call by itself. */
  mediaTimeoutSec: number;
  numThreads?: number;
}

export type RtpengineLogLevel = 'error' | 'warn' | 'info' | 'debug';

/** The command line of a private, userspace-only rtpengine. */
export function rtpengineArgs(o: RtpengineProcessOptions): string[] {
  return [
    // Never read /etc/rtpengine/rtpengine.conf: this instance is configured here only.
    '--config-file=none',
    '--foreground',
    '--log-stderr',
    '--no-log-timestamps',
    `--log-level=${o.logLevel}`,
    // No kernel forwarding table: userspace forwarding needs no privileges.
    '--table=-1',
    ...o.interfaces.map(
      (i) => `--interface=${i.name}/${i.address}${i.announced ? `!${i.announced}` : ''}`,
    ),
    `--listen-ng=${o.ngHost.includes(':') ? `[${o.ngHost}]` : o.ngHost}:${o.ngPort}`,
    `--port-min=${o.portMin}`,
    `--port-max=${o.portMax}`,
    // Deleted calls free their ports at once (the default keeps them 30 s).
    '--delete-delay=0',
    `--timeout=${o.mediaTimeoutSec}`,
    // No media playback or recording in rtpengine: mediasoup and Node do that.
    '--media-num-threads=0',
    ...(o.numThreads ? [`--num-threads=${o.numThreads}`] : []),
  ];
}

const LINE_LEVEL = /^(?:\[[^\]]*\]\s*)?(EMERG|ALERT|CRIT|ERR|WARNING|NOTICE|INFO|DEBUG)\b/;

/** rtpengine's syslog levels; it is chatty, so its errors become warnings here. */
const LEVELS: Readonly<Record<string, RtpengineLogLevel>> = {
  EMERG: 'error',
  ALERT: 'error',
  CRIT: 'error',
  ERR: 'warn',
  WARNING: 'warn',
  NOTICE: 'info',
};

/**
 * Messages rtpengine logs as errors that are part of every call's start: media sent
 * before DTLS completed cannot be encrypted yet. Kept at debug level.
 */
const EXPECTED = /output wanted, but no crypto suite was negotiated/;

/** Maps an rtpengine log line to a log level. */
export function classifyLogLine(line: string): RtpengineLogLevel {
  if (EXPECTED.test(line)) return 'debug';
  const level = LINE_LEVEL.exec(line)?.[1];
  return (level !== undefined ? LEVELS[level] : undefined) ?? 'debug';
}

/** rtpengine dumps SDP on protocol errors: keep ICE passwords out of the logs. */
export function redactLogLine(line: string): string {
  return line.replace(/(ice-pwd:)\S+/g, '$1[redacted]').replace(/(inline:)\S+/g, '$1[redacted]');
}

function defaultSetpriv(): string | null {
  return existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : null;
}

/**
 * A supervised rtpengine child. `onExit` fires when it ends without `stop()`: media of
 * every leg died with it, so the owner ends the process like for a dead mediasoup worker.
 */
export class RtpengineProcess {
  private child: ChildProcess | null = null;
  private stopping = false;

  constructor(
    private readonly options: RtpengineProcessOptions,
    private readonly handlers: {
      log: (level: RtpengineLogLevel, line: string) => void;
      onExit: (code: number | null, signal: NodeJS.Signals | null) => void;
    },
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns rtpengine; resolves once the process is running (readiness is a ping away). */
  start(): Promise<void> {
    const setpriv =
      this.options.setprivBin === undefined ? defaultSetpriv() : this.options.setprivBin;
    const args = rtpengineArgs(this.options);
    // setpriv sets PR_SET_PDEATHSIG and execs rtpengine: same pid, dies with its parent.
    // Its own process group: a SIGTERM sent to ours (a terminal, `timeout`) must not end
    // the media of calls that are still draining; it stops when this process says so.
    const options: SpawnOptionsWithStdioTuple<StdioNull, StdioPipe, StdioPipe> = {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    };
    const child = setpriv
      ? spawn(setpriv, ['--pdeathsig', 'SIGTERM', '--', this.options.bin, ...args], options)
      : spawn(this.options.bin, args, options);
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.handlers.log(classifyLogLine(line), redactLogLine(line));
      });
    }
    return new Promise((resolve, reject) => {
      child.once('spawn', () => {
        child.once('exit', (code, signal) => {
          this.child = null;
          if (!this.stopping) this.handlers.onExit(code, signal);
        });
        resolve();
      });
      child.once('error', (error) => reject(error));
    });
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 3_000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
