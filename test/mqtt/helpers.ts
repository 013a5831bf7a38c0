/**
 * Real-broker test parts: a recording MQTT subscriber, a Mosquitto process on a free loopback
 * port, and a stream on the simulator with compressed time.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { LocalAuth } from '../../src/auth/local';
import { silentLogger } from '../../src/logger';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator';
import type { EventStreamOptions } from '../../src/options';
import { createEventStream, type EventStream } from '../../src/stream';

/** One message as a subscriber saw it. */
export interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

/** Resolves once `cond()` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An MQTT.js subscriber that records every message under `filter`. */
export class Subscriber {
  readonly client: MqttClient;
  readonly seen: Seen[] = [];

  private constructor(client: MqttClient) {
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      this.seen.push({ topic, payload: payload.toString('utf8'), retain: packet.retain, at: Date.now() });
    });
  }

  /** Connects and subscribes; resolves once the SUBACK is in (retained messages follow). */
  static async open(url: string, filter: string): Promise<Subscriber> {
    const client = connect(url, { reconnectPeriod: 100, connectTimeout: 5000 });
    const subscriber = new Subscriber(client);
    client.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      setTimeout(() => reject(new Error('subscriber could not connect')), 5000).unref();
    });
    await client.subscribeAsync(filter, { qos: 1 });
    // Resubscribe after a broker restart (clean session): MQTT.js does it when `resubscribe` is on (default).
    return subscriber;
  }

  /** Last payload seen on `topic`, or undefined. */
  last(topic: string): string | undefined {
    for (let i = this.seen.length - 1; i >= 0; i--) if (this.seen[i].topic === topic) return this.seen[i].payload;
    return undefined;
  }

  /** Messages seen since `index` on topics starting with `prefix`. */
  since(index: number, prefix = ''): Seen[] {
    return this.seen.slice(index).filter((m) => m.topic.startsWith(prefix));
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

/** The retained state a fresh subscriber gets: topic → payload, read until `settleMs` of quiet. */
export async function retainedSnapshot(url: string, filter: string, settleMs = 300): Promise<Map<string, string>> {
  const sub = await Subscriber.open(url, filter);
  let count = -1;
  while (count !== sub.seen.length) {
    count = sub.seen.length;
    await new Promise((r) => setTimeout(r, settleMs));
  }
  await sub.close();
  const snapshot = new Map<string, string>();
  for (const m of sub.seen) if (m.retain) snapshot.set(m.topic, m.payload);
  return snapshot;
}

/** A simulator with compressed time and a stream on it whose timing is compressed the same way. */
export async function simulatedStream(
  simOptions: SimulatorOptions = {},
  streamOptions: Partial<EventStreamOptions> = {},
): Promise<{ sim: Simulator; stream: EventStream }> {
  const speed = simOptions.speed ?? 20;
  const sim = await startSimulator({
    auth: { username: 'admin', password: 'pw' },
    liveEvents: false,
    ...simOptions,
    speed,
  });
  const stream = createEventStream({
    url: sim.url,
    auth: new LocalAuth('admin', 'pw'),
    quietMs: 150,
    backoffMs: [50, 100],
    defaultHeartbeatPromiseMs: 90_000 / speed,
    heartbeatGraceMs: 500,
    logger: silentLogger,
    ...streamOptions,
  });
  return { sim, stream };
}

/** A free TCP port on 127.0.0.1 (closed again before returning). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

/**
 * A house whose only live events are the ones a test makes: no heartbeat for an hour (and a
 * promise to match), so counts of queued and dropped events are exact.
 */
export function quietHouse(): Promise<{ sim: Simulator; stream: EventStream }> {
  const speed = 20;
  return simulatedStream(
    { speed, heartbeatSec: 3600, heartbeatPromise: 7200 * speed },
    { defaultHeartbeatPromiseMs: 7_200_000 },
  );
}

/** Whether Debian's `mosquitto` is on this machine. */
export const mosquittoAvailable =
  spawnSync('sh', ['-c', 'command -v mosquitto || test -x /usr/sbin/mosquitto'], { stdio: 'ignore' }).status === 0;

const MOSQUITTO = spawnSync('sh', ['-c', 'command -v mosquitto || echo /usr/sbin/mosquitto'], {
  encoding: 'utf8',
}).stdout.trim();

/**
 * A Mosquitto process on 127.0.0.1:`port` with a temp config (no persistence, anonymous
 * clients), started and killed by the test: no system service is used.
 */
export class Mosquitto {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'iox-mosquitto-'));
  output = '';

  /** `extraConfig`: more mosquitto.conf lines (the benchmark lifts the per-client queue limit). */
  constructor(
    readonly port: number,
    extraConfig: readonly string[] = [],
  ) {
    writeFileSync(
      join(this.dir, 'mosquitto.conf'),
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence false',
        'log_dest stderr',
        ...extraConfig,
        '',
      ].join('\n'),
    );
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Starts it; resolves once it accepts TCP connections. */
  async start(): Promise<void> {
    const child = spawn(MOSQUITTO, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await until(() => this.output.includes('running') || child.exitCode !== null, 5000, 'mosquitto to start');
    if (child.exitCode !== null) throw new Error(`mosquitto exited: ${this.output}`);
  }

  /** SIGSTOP: connections stay open but nothing is read or answered (a broker slower than the house). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after {@link pause}. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Kills it (SIGKILL: a crash, nothing flushed) and waits for the exit. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
