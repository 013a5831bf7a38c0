/** Many EventStreams in this process against a simulator in a child process (benchmarks 4 and 5). */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEventStream, silentLogger, type EventStream, type EventStreamOptions } from '../src';
import type { SimulatorOptions } from '../src/simulator';
import { until } from './util';

export interface ChildSim {
  url: string;
  child: ChildProcess;
  stats(): Promise<{ openSockets: number; framesSent: number; maxPeakPerClient: number }>;
  close(): Promise<void>;
}

export async function startChildSimulator(options: SimulatorOptions): Promise<ChildSim> {
  const child = fork(resolve(__dirname, 'simChild.ts'), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((res, rej) => {
    child.once('error', rej);
    child.once('exit', (code) => rej(new Error(`simulator exited (${code})`)));
    child.once('message', (m: { type: string; url: string }) => res(m.url));
  });
  child.removeAllListeners('exit');
  return {
    url,
    child,
    stats: () =>
      new Promise((res) => {
        child.once('message', (m: { openSockets: number; framesSent: number; maxPeakPerClient: number }) => res(m));
        child.send({ type: 'stats' });
      }),
    close: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.send({ type: 'close' });
      }),
  };
}

export interface Fleet {
  streams: EventStream[];
  /** ms from the first start() until every stream was CONNECTED. */
  allConnectedMs: number;
  framesFed(): number;
  stop(): Promise<void>;
}

/**
 * Each stream holds one socket here and one in the simulator process: both need `n` + some file
 * descriptors. Fail early with the fix instead of an EMFILE halfway through.
 */
export function checkFdLimit(n: number): void {
  let limit = Number.POSITIVE_INFINITY;
  try {
    const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    if (out !== 'unlimited') limit = Number(out);
  } catch {
    return; // not a POSIX shell: let it try
  }
  if (limit < n + 200)
    throw new Error(
      `open-file limit is ${limit}; ${n} streams need about ${n + 200}: run \`ulimit -n ${Math.max(4096, n + 1000)}\` first`,
    );
}

/** Start `n` streams at once and wait until all are CONNECTED. */
export async function startFleet(
  url: string,
  n: number,
  options: Partial<EventStreamOptions>,
  timeoutMs = 60_000,
): Promise<Fleet> {
  checkFdLimit(n);
  const streams: EventStream[] = [];
  let connected = 0;
  let lastConnectedAt = 0;
  for (let i = 0; i < n; i++) {
    const stream = createEventStream({
      url,
      logger: silentLogger,
      headers: { 'x-client-id': `fleet-${i}` },
      ...options,
    });
    let seen = false;
    stream.onStatus((status) => {
      if (status === 'CONNECTED' && !seen) {
        seen = true;
        connected++;
        lastConnectedAt = performance.now();
      }
    });
    streams.push(stream);
  }
  const t0 = performance.now();
  for (const s of streams) s.start();
  await until(() => connected === n, timeoutMs, `${n} streams CONNECTED (${connected} so far)`, 20);
  return {
    streams,
    allConnectedMs: lastConnectedAt - t0,
    framesFed: () => streams.reduce((sum, s) => sum + s.dispatcher.stats.framesFed, 0),
    stop: async () => {
      await Promise.all(streams.map((s) => s.stop()));
    },
  };
}
