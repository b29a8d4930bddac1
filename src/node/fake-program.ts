// What a fake-runtime container's command does when the command alone decides it: the fake
// runtime runs no processes, but `true`, `false`, `echo …`, `sleep 30` or `sh -c "sleep 5;
// exit 3"` end the same way on any image, after the same time. Those are "run" here: the
// container exits with that code after that long. Anything else (an image's own entrypoint,
// pipes, variables, other programs) is unknown, and the container keeps running as before.

/** How a recognized command ends: after afterMs, with exitCode. */
export interface FakeExit {
  afterMs: number;
  exitCode: number;
}

const shells = new Set(['sh', 'bash', 'ash', 'dash']);
const sleepUnits: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** sleep's operands (GNU and busybox sum them; s/m/h/d suffixes): milliseconds, or undefined when one is not a number. */
function sleepMs(args: string[]): number | undefined {
  if (!args.length) return undefined;
  let total = 0;
  for (const a of args) {
    const m = /^(\d+(?:\.\d+)?|\.\d+)([smhd]?)$/.exec(a);
    if (!m) return undefined;
    total += Number(m[1]) * sleepUnits[m[2]] * 1000;
  }
  return total;
}

/** One simple command: its exit code and duration, `exit` ending the script, or undefined when unknown. */
function simpleCommand(words: string[], status: number): { afterMs: number; exitCode: number; exits?: true } | undefined {
  const [name, ...args] = words;
  switch (basename(name)) {
    case 'true':
    case ':':
    case 'echo':
      return { afterMs: 0, exitCode: 0 };
    case 'false':
      return { afterMs: 0, exitCode: 1 };
    case 'sleep': {
      const ms = sleepMs(args);
      return ms === undefined ? undefined : { afterMs: ms, exitCode: 0 };
    }
    case 'exit': {
      if (args.length === 0) return { afterMs: 0, exitCode: status, exits: true };
      if (args.length > 1 || !/^\d+$/.test(args[0])) return undefined;
      return { afterMs: 0, exitCode: Number(args[0]) % 256, exits: true };
    }
    default:
      return undefined;
  }
}

type Separator = ';' | '&&';

/**
 * A shell script of simple commands joined by `;`, `&&` or newlines, with quoted words;
 * undefined for anything else a shell would expand or redirect.
 */
function parseScript(script: string): { words: string[]; after: Separator }[] | undefined {
  const commands: { words: string[]; after: Separator }[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let after: Separator = ';';
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = (sep: Separator) => {
    endWord();
    if (words.length) commands.push({ words, after });
    else if (sep === '&&') return false; // `&&` with nothing before it is a syntax error
    words = [];
    after = sep;
    return true;
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (ch === "'" || ch === '"') {
      const close = script.indexOf(ch, i + 1);
      if (close < 0) return undefined;
      const quoted = script.slice(i + 1, close);
      if (ch === '"' && /[$`\\]/.test(quoted)) return undefined;
      word = (word ?? '') + quoted;
      i = close;
    } else if (ch === ' ' || ch === '\t') {
      endWord();
    } else if (ch === ';' || ch === '\n') {
      if (!endCommand(';')) return undefined;
    } else if (ch === '&' && script[i + 1] === '&') {
      if (!endCommand('&&')) return undefined;
      i++;
    } else if (/[|&<>(){}$`*?[\]#~\\=]/.test(ch)) {
      return undefined;
    } else {
      word = (word ?? '') + ch;
    }
  }
  endWord();
  if (words.length) commands.push({ words, after });
  else if ((after as Separator) === '&&') return undefined;
  return commands;
}

/** sh -c SCRIPT: the commands in order (`a && b` runs b only after a succeeded); the last status is the exit code. */
function runScript(script: string): FakeExit | undefined {
  const commands = parseScript(script);
  if (!commands) return undefined;
  let afterMs = 0;
  let status = 0;
  for (const { words, after } of commands) {
    const r = simpleCommand(words, status);
    if (!r) return undefined;
    if (after === '&&' && status !== 0) continue;
    afterMs += r.afterMs;
    status = r.exitCode;
    if (r.exits) break;
  }
  return { afterMs, exitCode: status };
}

/** How the container's command ends, or undefined when it is not one whose outcome is known (no command: the image's entrypoint). */
export function fakeProgramExit(command: string[] | undefined, args: string[] | undefined): FakeExit | undefined {
  if (!command?.length) return undefined;
  const argv = [...command, ...(args ?? [])];
  if (shells.has(basename(argv[0]))) {
    // sh -c SCRIPT [NAME ARGS…]: the operands after the script only set $0, $1…
    return argv[1] === '-c' && argv.length >= 3 ? runScript(argv[2]) : undefined;
  }
  // `exit` and `:` are shell builtins, no programs an image has.
  if (argv[0] === 'exit' || argv[0] === ':') return undefined;
  const r = simpleCommand(argv, 0);
  return r && { afterMs: r.afterMs, exitCode: r.exitCode };
}
