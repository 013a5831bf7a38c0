/**
 * Benchmark 2, end to end over loopback: a minimal server that completes the WebSocket upgrade by
 * hand and then writes pre-framed captured events as fast as the socket takes them, read by
 * (a) one EventStream (frames/s delivered to an `onEvent` listener, the stream CONNECTED, i.e. live)
 * and (b) a bare `ws` client that only counts messages (the transport ceiling), alternately, in
 * the same process and run. Goal: the stream at >= 0.5x the bare client.
 *
 * Alone: node --expose-gc --import tsx bench/e2e.ts [--runs 5] [--e2e-frames 200000]
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createEventStream, parseEventFrame, silentLogger } from '../src';
import { unwrapFrame } from '../src/dispatcher/envelope';
import { loadBenchFrames } from './dispatcher';
import { FIXTURES } from './pipeline';
import { fmt, fmtSummary, numArg, runStandalone, settleGc, summarize, table } from './util';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One unmasked server-to-client text frame. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const n = payload.length;
  let header: Buffer;
  if (n < 126) header = Buffer.from([0x81, n]);
  else if (n < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(n, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([header, payload]);
}

interface FloodServer {
  url: string;
  /** performance.now() when the last flood started. */
  floodStartedAt: number;
  close(): Promise<void>;
}

/**
 * Upgrade, send one heartbeat, wait `settleMs` (the stream goes CONNECTED), then write `count`
 * frames from `block` (one pre-framed pass over the capture) as fast as the socket drains.
 */
async function startFloodServer(
  block: Buffer,
  framesPerBlock: number,
  count: number,
  heartbeat: Buffer,
  settleMs: number,
): Promise<FloodServer> {
  const sockets = new Set<Socket>();
  const state: FloodServer = { url: '', floodStartedAt: 0, close: async () => {} };
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.resume(); // the client's close frame, ignored
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    socket.setNoDelay(true);
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.write(heartbeat);
    setTimeout(() => {
      state.floodStartedAt = performance.now();
      let blocks = Math.floor(count / framesPerBlock);
      const rest = count - blocks * framesPerBlock;
      const restBuf = rest > 0 ? restOf(block, rest) : undefined;
      const pump = (): void => {
        while (blocks > 0 && !socket.destroyed) {
          blocks--;
          if (!socket.write(block)) {
            socket.once('drain', pump);
            return;
          }
        }
        if (restBuf && !socket.destroyed) socket.write(restBuf);
      };
      pump();
    }, settleMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

/** The first `n` frames of a block (frames are walked by their headers). */
function restOf(block: Buffer, n: number): Buffer {
  let at = 0;
  for (let i = 0; i < n; i++) {
    const len7 = block[at + 1] & 0x7f;
    const [headerLen, len] =
      len7 < 126
        ? [2, len7]
        : len7 === 126
          ? [4, block.readUInt16BE(at + 2)]
          : [10, Number(block.readBigUInt64BE(at + 2))];
    at += headerLen + len;
  }
  return block.subarray(0, at);
}

/** The captured events as raw XML, only those the parser accepts (so every one is delivered). */
export function benchEvents(): string[] {
  return loadBenchFrames(FIXTURES)
    .map((f) => unwrapFrame(f))
    .flatMap((u) => (typeof u === 'string' ? [u] : []))
    .filter((x) => parseEventFrame(x) !== null);
}

export async function runBare(block: Buffer, perBlock: number, count: number, heartbeat: Buffer): Promise<number> {
  const server = await startFloodServer(block, perBlock, count, heartbeat, 150);
  try {
    return await new Promise<number>((resolve, reject) => {
      let seen = 0;
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/rest/subscribe`, {
        skipUTF8Validation: true,
        perMessageDeflate: false,
      });
      ws.on('message', () => {
        if (++seen === count + 1) {
          const seconds = (performance.now() - server.floodStartedAt) / 1000;
          ws.terminate();
          resolve(count / seconds);
        }
      });
      ws.on('error', reject);
    });
  } finally {
    await server.close();
  }
}

export async function runStream(
  block: Buffer,
  perBlock: number,
  count: number,
  heartbeat: Buffer,
): Promise<{ fps: number; live: boolean }> {
  const server = await startFloodServer(block, perBlock, count, heartbeat, 150);
  const stream = createEventStream({ url: server.url, quietMs: 30, logger: silentLogger });
  try {
    return await new Promise<{ fps: number; live: boolean }>((resolve) => {
      let seen = 0;
      let live = true;
      stream.onEvent((_event, info) => {
        seen++;
        if (seen > 1 && info.replay) live = false;
        if (seen === count + 1) {
          const seconds = (performance.now() - server.floodStartedAt) / 1000;
          resolve({ fps: count / seconds, live });
        }
      });
      stream.start();
    });
  } finally {
    await stream.stop();
    await server.close();
  }
}

export async function benchE2e(argv: readonly string[] = process.argv): Promise<string> {
  const runs = Math.max(5, numArg('runs', 5, argv));
  const count = numArg('e2e-frames', 200_000, argv);
  const events = benchEvents();
  const block = Buffer.concat(events.map(textFrame));
  const heartbeat = textFrame(events.find((x) => x.includes('<control>_0</control>')) ?? events[0]);
  // Warm-up of both paths (JIT), not timed.
  await runBare(block, events.length, 20_000, heartbeat);
  await runStream(block, events.length, 20_000, heartbeat);

  const bare: number[] = [];
  const stream: number[] = [];
  const ratios: number[] = [];
  let allLive = true;
  for (let r = 0; r < runs; r++) {
    await settleGc();
    // Alternate the order so drift in machine load does not favour one side.
    let b: number;
    let s: { fps: number; live: boolean };
    if (r % 2 === 0) {
      b = await runBare(block, events.length, count, heartbeat);
      await settleGc();
      s = await runStream(block, events.length, count, heartbeat);
    } else {
      s = await runStream(block, events.length, count, heartbeat);
      await settleGc();
      b = await runBare(block, events.length, count, heartbeat);
    }
    bare.push(b);
    stream.push(s.fps);
    ratios.push(s.fps / b);
    allLive &&= s.live;
  }
  const sb = summarize(bare);
  const ss = summarize(stream);
  const sr = summarize(ratios);
  return [
    `### 2. End to end over loopback (${fmt(count)} captured events per run, ${runs} runs, avg frame ${fmt(block.length / events.length)} bytes)`,
    '',
    table(
      ['client', 'frames/s median', 'min – max', 'vs bare (same run)'],
      [
        [
          'bare `ws` client, counts messages (transport ceiling)',
          fmt(sb.median),
          `${fmt(sb.min)} – ${fmt(sb.max)}`,
          '1.00x',
        ],
        [
          `EventStream → onEvent listener (CONNECTED, ${allLive ? 'all delivered live' : 'some delivered as replay'})`,
          fmt(ss.median),
          `${fmt(ss.min)} – ${fmt(ss.max)}`,
          `${fmtSummary(sr, 2, 'x')}`,
        ],
      ],
      ['l', 'r', 'r', 'r'],
    ),
    '',
    `Goal >= 0.5x: ${sr.median >= 0.5 ? 'met' : 'NOT met'} (median of per-run ratios ${sr.median.toFixed(2)}x).`,
  ].join('\n');
}

runStandalone(module, () => benchE2e());
