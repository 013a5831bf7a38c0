import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** Repository root: the CLI and the demo run from there, like `npm start` does. */
export const REPO = resolve(__dirname, '../..');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Run a TypeScript entry point with tsx as a child process, bounded by `timeoutMs` (killed after
 * it, so a hung child fails the test instead of the whole run). `env` is added to this process's.
 */
export function runTs(
  script: string,
  args: readonly string[],
  options: {
    env?: Record<string, string>;
    timeoutMs?: number;
    onStdout?: (soFar: string, child: ChildProcess) => void;
  } = {},
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: REPO,
      // NO_COLOR: plain text to parse even if a developer forces colours elsewhere.
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The CLI, as `iox-events` would run it. */
export const runCli = (args: readonly string[], options?: Parameters<typeof runTs>[2]): Promise<Run> =>
  runTs('src/cli/main.ts', args, options);

/** Parse NDJSON output: every non-empty line must be one JSON object. */
export function ndjson(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
