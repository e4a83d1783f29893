import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc CPU times (USER_HZ; 100 on every Linux that matters). */
const USER_HZ = 100;

/** CPU seconds (user + system) a process has used so far; null once it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / USER_HZ;
  } catch {
    return null;
  }
}
