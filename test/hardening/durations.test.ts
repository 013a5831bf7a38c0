/**
 * Durations past 2^31-1 ms: a timer holds at most that and fires after 1 ms beyond it. Options are
 * refused (TypeError), controller values are clamped (and logged once), the CLI refuses
 * `--duration` past it.
 */
import { parseCommand } from '../../src/cli/args';
import { UsageError } from '../../src/cli/usageError';
import { createEventStream, type EventStream } from '../../src';
import { MAX_TIMER_MS, timerMs } from '../../src/machine/policy';
import { heartbeatFrame, ScriptedServer, sleep, until } from '../helpers/scriptedServer';

const DURATIONS = [
  'quietMs',
  'syncMaxMs',
  'heartbeatGraceMs',
  'defaultHeartbeatPromiseMs',
  'connectTimeoutMs',
  'closeGraceMs',
] as const;

describe('duration options reach timers: validated', () => {
  test.each(DURATIONS)('%s: 2^31 is a TypeError, 2^31-1 less the rest is accepted', (name) => {
    const url = 'http://127.0.0.1:9';
    expect(() => createEventStream({ url, [name]: 2 ** 31 })).toThrow(TypeError);
    expect(() => createEventStream({ url, [name]: 2 ** 31 })).toThrow(/2\^31-1/);
    const ok =
      name === 'defaultHeartbeatPromiseMs' ? MAX_TIMER_MS - 5000 : name === 'heartbeatGraceMs' ? 1000 : MAX_TIMER_MS;
    const stream = createEventStream({ url, [name]: ok });
    expect(stream.status).toBe('NOT_STARTED');
  });

  test('backoffMs entries and promise + grace together are bounded too', () => {
    const url = 'http://127.0.0.1:9';
    expect(() => createEventStream({ url, backoffMs: [1000, 2 ** 31] })).toThrow(/backoffMs\[1\]/);
    expect(() => createEventStream({ url, defaultHeartbeatPromiseMs: MAX_TIMER_MS, heartbeatGraceMs: 1 })).toThrow(
      TypeError,
    );
  });

  test('timerMs clamps what arithmetic or a controller produces', () => {
    expect(timerMs(2147484 * 1000 + 5000)).toBe(MAX_TIMER_MS);
    expect(timerMs(1500)).toBe(1500);
    expect(timerMs(-1)).toBe(0);
    expect(timerMs(Number.NaN)).toBe(0);
  });
});

describe('a controller heartbeat promising more than a timer can hold', () => {
  let server: ScriptedServer;
  let stream: EventStream | undefined;
  beforeEach(async () => {
    server = await ScriptedServer.start();
  });
  afterEach(async () => {
    await stream?.stop();
    stream = undefined;
    await server.close();
  });

  test('`_0` with 2147484 s does not fire the watchdog at once; the clamp is logged once', async () => {
    server.onConnection = (ws) => ws.send(heartbeatFrame(2147484, 0));
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    stream = createEventStream({ url: server.url, quietMs: 50, heartbeatGraceMs: 100, logger });
    const statuses: string[] = [];
    stream.onStatus((s) => statuses.push(s));
    stream.start();
    await until(() => stream!.status === 'CONNECTED', 5000, 'CONNECTED');
    // Before the fix the dead-link timer fired ~1 ms after each heartbeat: LOST, forever.
    server.broadcast(heartbeatFrame(2147484, 1));
    await sleep(400);
    expect(statuses).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED']);
    expect(stream.lastError).toBeNull();
    expect(server.upgrades).toHaveLength(1);
    expect(warnings.filter((w) => /longer than a timer can wait/.test(w))).toHaveLength(1);
  });
});

describe('iox-events --duration', () => {
  test('past 2^31-1 ms is a usage error, not a stop after 14 ms', () => {
    expect(() => parseCommand(['--simulate', '--duration', '2147484'])).toThrow(UsageError);
    expect(() => parseCommand(['--simulate', '--quiet-ms', String(2 ** 31)])).toThrow(UsageError);
    expect(() => parseCommand(['--simulate', '--heartbeat-grace-ms', String(2 ** 31)])).toThrow(UsageError);
    const run = parseCommand(['--simulate', '--duration', '2147483']);
    expect(run.kind === 'run' && run.plan.durationSec).toBe(2147483);
  });
});
