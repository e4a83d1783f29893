import { readText } from './repo';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** deploy/Dockerfile's stages and instructions (comments dropped, continuations joined). */
export function dockerfileStages(path = 'deploy/Dockerfile'): Stage[] {
  const lines = readText(path).split('\n');
  const instructions: Instruction[] = [];
  let buffer = '';
  let start = 0;
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!buffer && (line.trim() === '' || line.trim().startsWith('#'))) return;
    if (buffer && line.trim().startsWith('#')) return;
    if (!buffer) start = i + 1;
    buffer += (buffer ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) return;
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(buffer);
    if (!m) throw new Error(`${path}:${start}: not an instruction: ${buffer}`);
    instructions.push({
      keyword: (m[1] as string).toUpperCase(),
      args: m[2] as string,
      line: start,
    });
    buffer = '';
  });
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`${path}:${ins.line}: bad FROM`);
      stages.push({ name: m[2] ?? `#${stages.length}`, from: m[1] as string, instructions: [] });
    } else if (stages.length > 0) {
      (stages[stages.length - 1] as Stage).instructions.push(ins);
    }
  }
  return stages;
}

/** `ENV A=1 B=2` of a stage, with those of the stages it is built FROM. */
export function stageEnv(stages: Stage[], name: string): Record<string, string> {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  const parent = stages.some((s) => s.name === stage.from) ? stageEnv(stages, stage.from) : {};
  const env: Record<string, string> = { ...parent };
  for (const ins of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const m of ins.args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) {
      env[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
    }
  }
  return env;
}
