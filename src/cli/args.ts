// A small, strict command-line parser: --name value, --name=value, boolean
// flags, --no-flag. Unknown flags and bad values throw UsageError (exit 2).

export class UsageError extends Error {}

export type FlagType = 'string' | 'int' | 'number' | 'bool' | 'ints' | 'list';

export interface FlagSpec {
  type: FlagType;
  help: string;
  default?: string | number | boolean | number[] | string[];
  /** allowed values (string / list items) */
  choices?: readonly string[];
  /** value name in --help */
  arg?: string;
  min?: number;
  max?: number;
}

export type Flags = Record<string, FlagSpec>;
export type Parsed = Record<string, unknown> & { _: string[] };

/** Parses argv against `flags`; `cmd` names the command in errors. */
export function parseArgs(cmd: string, argv: readonly string[], flags: Flags): Parsed {
  const out: Parsed = { _: [] };
  for (const [k, s] of Object.entries(flags)) if (s.default !== undefined) out[k] = s.default;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out._.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      out._.push(a);
      continue;
    }
    if (a === '-h') {
      out.help = true;
      continue;
    }
    if (!a.startsWith('--')) throw new UsageError(`${cmd}: unknown option ${a} (see wasmgrad ${cmd} --help)`);
    let name = a.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (name === 'help') {
      out.help = true;
      continue;
    }
    let negate = false;
    let spec = flags[name];
    if (!spec && name.startsWith('no-') && flags[name.slice(3)]?.type === 'bool') {
      negate = true;
      name = name.slice(3);
      spec = flags[name];
    }
    if (!spec) throw new UsageError(`${cmd}: unknown option --${name} (see wasmgrad ${cmd} --help)`);
    if (spec.type === 'bool') {
      if (value !== undefined) {
        if (!['true', 'false', '1', '0', 'yes', 'no'].includes(value)) throw new UsageError(`${cmd}: --${name} takes no value or true/false, got "${value}"`);
        out[name] = ['true', '1', 'yes'].includes(value) !== negate;
      } else out[name] = !negate;
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`${cmd}: --${name} needs a value (${spec.arg ?? spec.type})`);
      value = argv[++i];
    }
    out[name] = convert(cmd, name, spec, value);
  }
  return out;
}

function convert(cmd: string, name: string, spec: FlagSpec, value: string): unknown {
  const bad = (why: string): never => {
    throw new UsageError(`${cmd}: --${name} ${why}, got "${value}"`);
  };
  const num = (v: string, int: boolean): number => {
    const x = v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(x)) bad(int ? 'must be an integer' : 'must be a number');
    if (int && !Number.isInteger(x)) bad('must be an integer');
    if (spec.min !== undefined && x < spec.min) bad(`must be ≥ ${spec.min}`);
    if (spec.max !== undefined && x > spec.max) bad(`must be ≤ ${spec.max}`);
    return x;
  };
  switch (spec.type) {
    case 'int':
      return num(value, true);
    case 'number':
      return num(value, false);
    case 'ints': {
      const parts = value.split(',');
      if (parts.some((p) => p.trim() === '')) bad('must be a comma-separated list of integers');
      return parts.map((p) => num(p, true));
    }
    case 'list': {
      const parts = value.split(',').map((p) => p.trim());
      if (parts.some((p) => p === '')) bad('must be a comma-separated list');
      if (spec.choices) for (const p of parts) if (!spec.choices.some((c) => p === c || p.startsWith(`${c}@`))) bad(`items must be among ${spec.choices.join(', ')}`);
      return parts;
    }
    default:
      if (spec.choices && !spec.choices.includes(value)) bad(`must be one of ${spec.choices.join(', ')}`);
      return value;
  }
}

/** The --help text of a command. */
export function helpText(usage: string, description: string, flags: Flags): string {
  const rows = Object.entries(flags).map(([k, s]) => {
    const left = s.type === 'bool' ? `--${k}` : `--${k} ${s.arg ?? s.type.toUpperCase()}`;
    const def = s.default !== undefined && s.default !== false ? ` (default ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)})` : '';
    const choices = s.choices ? ` [${s.choices.join('|')}]` : '';
    return [left, `${s.help}${choices}${def}`];
  });
  rows.push(['--help, -h', 'show this help']);
  const w = Math.max(...rows.map(([l]) => l.length));
  return `${usage}\n\n${description}\n\nOptions:\n${rows.map(([l, r]) => `  ${l.padEnd(w)}  ${r}`).join('\n')}\n`;
}
