/**
 * Benchmark 6 (issue 14), replay vs live: for each subscription, the time from the last replayed
 * frame to CONNECTED and the frames flagged wrong (replay flagged live, live flagged replay), for the
 * clock rule (default) and the quiet-window-only rule (`replayByClock: false`), side by side: both
 * streams subscribe at once to the same controller and see the same frames.
 *
 * (a) the real capture's timing (ws-frames.jsonl, 1x, stamps shifted to now keeping their 0.95 s
 *     skew; a Date header from the controller's clock); (b) the simulator's busy house, a live
 *     change every 200 ms and every 50 ms; (c) the same without the Date header (first sync has no
 *     reference); (d) frames without timestamps (ISY994 v4). Default policy: quiet window 1 s, cap 10 s.
 *
 * Alone: node --import tsx bench/replay.ts [--cycles 3]
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { createEventStream, silentLogger, type EventStream } from '../src';
import { startSimulator, type Simulator } from '../src/simulator';
import { CAPTURE } from './connect';
import { fmt, numArg, runStandalone, summarize, table, until } from './util';

/** Truth per subscription: seqnum at or above `replayEnd` is live. */
type Truth = (sid: string) => number | undefined;

interface Tally {
  lags: number[];
  replayFlaggedLive: number;
  liveFlaggedReplay: number;
  subscriptions: number;
  references: Set<string>;
}

interface Probe {
  stream: EventStream;
  tally: Tally;
  /** Resolves at the next CONNECTED. */
  connected(): Promise<void>;
  /** Scores every subscription seen so far (call once, at the end). */
  score(truth: Truth): void;
}

function probe(url: string, byClock: boolean, path?: string): Probe {
  const stream = createEventStream({ url, path, replayByClock: byClock, logger: silentLogger });
  const frames: Array<{ sid: string; seqnum: number; replay: boolean; at: number }> = [];
  const connectedAt: Array<{ sid: string; at: number }> = [];
  const tally: Tally = {
    lags: [],
    replayFlaggedLive: 0,
    liveFlaggedReplay: 0,
    subscriptions: 0,
    references: new Set(),
  };
  let sid = '';
  let waiters: Array<() => void> = [];
  stream.onEvent((event, info) => {
    sid = event.sid;
    frames.push({ sid, seqnum: event.seqnum, replay: info.replay, at: performance.now() });
  });
  stream.onStatus((status) => {
    if (status === 'SYNCING') sid = '';
    if (status !== 'CONNECTED') return;
    connectedAt.push({ sid, at: performance.now() });
    tally.references.add(stream.stats.replay.reference);
    const wake = waiters;
    waiters = [];
    for (const w of wake) w();
  });
  return {
    stream,
    tally,
    connected: () => new Promise((resolve) => waiters.push(resolve)),
    score(truth) {
      for (const { sid: s, at } of connectedAt) {
        const end = truth(s);
        if (end === undefined || s === '') continue;
        const mine = frames.filter((f) => f.sid === s);
        const replay = mine.filter((f) => f.seqnum < end);
        tally.subscriptions++;
        tally.lags.push(at - (replay.at(-1)?.at ?? at));
        tally.replayFlaggedLive += replay.filter((f) => !f.replay).length;
        tally.liveFlaggedReplay += mine.filter((f) => f.seqnum >= end && f.replay).length;
      }
    },
  };
}

function rows(name: string, pair: readonly [Probe, Probe]): string[][] {
  return pair.map((p, i) => {
    const s = summarize(p.tally.lags);
    return [
      i === 0 ? name : '',
      i === 0 ? `clock (${[...p.tally.references].join(', ')})` : 'quiet window only',
      String(p.tally.subscriptions),
      `${fmt(s.median)} (${fmt(s.min)} – ${fmt(s.max)})`,
      String(p.tally.replayFlaggedLive),
      String(p.tally.liveFlaggedReplay),
    ];
  });
}

/** Drops both streams' sockets `cycles - 1` times; lets each subscription run `liveMs` past CONNECTED. */
async function cyclesOn(sim: Simulator, pair: readonly [Probe, Probe], cycles: number, liveMs: number): Promise<void> {
  const ends = new Map<string, number>();
  const watch = setInterval(() => {
    for (const s of sim.sessions()) if (s.sid !== undefined && s.replayEnd !== undefined) ends.set(s.sid, s.replayEnd);
  }, 2);
  try {
    for (let c = 0; c < cycles; c++) {
      const both = Promise.all(pair.map((p) => p.connected()));
      if (c === 0) for (const p of pair) p.stream.start();
      else sim.faults.drop();
      await both;
      await new Promise((r) => setTimeout(r, liveMs));
    }
  } finally {
    clearInterval(watch);
    await Promise.all(pair.map((p) => p.stream.stop()));
  }
  for (const p of pair) p.score((sid) => ends.get(sid));
}

async function simulated(
  name: string,
  options: Parameters<typeof startSimulator>[0],
  cycles: number,
): Promise<string[][]> {
  const sim = await startSimulator(options);
  try {
    const pair = [probe(sim.url, true), probe(sim.url, false)] as const;
    await cyclesOn(sim, pair, cycles, 1500);
    return rows(name, pair);
  } finally {
    await sim.close();
  }
}

/** The capture: when the client sent its token frame (capture clock, ms) and every received frame's offset from it. */
function loadCapture(): { sentAtMs: number; frames: Array<{ atMs: number; data: string }> } {
  const records = readFileSync(CAPTURE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { direction: string; time: number; data: string });
  const sentAtMs = records.find((r) => r.direction === 'send')!.time * 1000;
  const frames = records
    .filter((r) => r.direction === 'receive')
    .map((r) => ({ atMs: r.time * 1000 - sentAtMs, data: r.data }));
  return { sentAtMs, frames };
}

/**
 * A controller replaying the capture with its own timing from the upgrade on, every stamp moved by
 * the same amount so that stamp minus arrival stays what it was on the real eisy (whose clock ran
 * 0.95 s ahead of the capturing machine's); its Date header reads that clock too.
 */
async function captureServer(lastMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const { sentAtMs, frames } = loadCapture();
  const SKEW_MS = 950;
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  wss.on('headers', (headers) => headers.push(`Date: ${new Date(Date.now() + SKEW_MS).toUTCString()}`));
  const timers = new Set<NodeJS.Timeout>();
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      const shift = Date.now() - sentAtMs;
      for (const f of frames) {
        if (f.atMs > lastMs) break;
        const data = f.data.replace(
          /timestamp=\\"([^\\"]+)\\"/,
          (_m, ts: string) => `timestamp=\\"${new Date(Date.parse(ts) + shift).toISOString()}\\"`,
        );
        const t = setTimeout(() => {
          timers.delete(t);
          if (ws.readyState === ws.OPEN) ws.send(data);
        }, f.atMs);
        timers.add(t);
      }
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function capture(): Promise<string[][]> {
  // Through the 4th live frame (37.1 s after the token): the first comes 17.6 s after the replay.
  const lastMs = 37_200;
  const server = await captureServer(lastMs);
  try {
    const pair = [
      probe(server.url, true, '/api/events/subscribe'),
      probe(server.url, false, '/api/events/subscribe'),
    ] as const;
    const startedAt = performance.now();
    const both = Promise.all(pair.map((p) => p.connected()));
    for (const p of pair) p.stream.start();
    await both;
    await until(() => performance.now() > startedAt + lastMs + 300, lastMs + 5000, 'the capture', 100);
    await Promise.all(pair.map((p) => p.stream.stop()));
    // The replay is the burst before the 17.6 s silence: seqnum 0..423.
    for (const p of pair) p.score(() => 424);
    return rows('(a) real capture, 1x (through 4 live frames)', pair);
  } finally {
    await server.close();
  }
}

export async function benchReplay(argv: readonly string[] = process.argv): Promise<string> {
  const cycles = numArg('cycles', 3, argv);
  const body: string[][] = [];
  body.push(...(await capture()));
  body.push(...(await simulated('(b) busy house, a change every 200 ms', { busy: 200 }, cycles)));
  body.push(...(await simulated('(b) busy house, a change every 50 ms', { busy: 50 }, cycles)));
  body.push(...(await simulated('(c) busy 200 ms, no Date header', { busy: 200, dateHeader: false }, cycles)));
  body.push(
    ...(await simulated('(d) busy 200 ms, frames without timestamps', { busy: 200, timestamps: false }, cycles)),
  );
  return [
    `### 6. Replay vs live: the controller's clock against the quiet window (${cycles} subscriptions per simulated row: a start and ${cycles - 1} drops)`,
    '',
    table(
      [
        'scenario',
        'rule (reference)',
        'subscriptions',
        'last replayed frame → CONNECTED, ms: median (min – max)',
        'replay flagged live',
        'live flagged replay',
      ],
      body,
      ['l', 'l', 'r', 'r', 'r', 'r'],
    ),
  ].join('\n');
}

runStandalone(module, () => benchReplay());
