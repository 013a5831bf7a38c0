/**
 * A restart is a fresh start: after FAILED or STOPPED, `start()` gets the full `maxAttempts` and
 * the backoff schedule from its first step again (issue 17: the mutant "START does not reset the
 * failure count" survived the whole model suite).
 */
import { createEventStream, silentLogger, type EventStream } from '../../src';
import { ScriptedServer, sleep, until } from '../helpers/scriptedServer';

const BACKOFF = [100, 400] as const;

let server: ScriptedServer;
let stream: EventStream | undefined;

beforeEach(async () => {
  server = await ScriptedServer.start();
  // A controller that answers every upgrade with 500: each attempt fails, none is fatal.
  server.verdict = () => ({ kind: 'reject', status: 500 });
});

afterEach(async () => {
  await stream?.stop();
  stream = undefined;
  await server.close();
});

function open(): { stream: EventStream; statuses: string[]; upgradeTimes: number[] } {
  const statuses: string[] = [];
  const upgradeTimes: number[] = [];
  const s = createEventStream({
    url: server.url,
    maxAttempts: 2,
    backoffMs: [...BACKOFF],
    connectTimeoutMs: 2000,
    logger: silentLogger,
  });
  s.onStatus((status) => statuses.push(status));
  const verdict = server.verdict;
  server.verdict = (info) => {
    upgradeTimes.push(Date.now());
    return verdict(info);
  };
  stream = s;
  return { stream: s, statuses, upgradeTimes };
}

/** The first backoff of a run is BACKOFF[0], not a later step of the schedule. */
function expectFirstBackoff(upgradeTimes: number[], from: number): void {
  const gap = upgradeTimes[from + 1] - upgradeTimes[from];
  expect(gap).toBeGreaterThanOrEqual(BACKOFF[0] - 5);
  expect(gap).toBeLessThan(BACKOFF[1]);
}

it('after FAILED, start() retries maxAttempts times again, from the first backoff step', async () => {
  const { stream: s, statuses, upgradeTimes } = open();
  s.start();
  await until(() => s.status === 'FAILED', 5000, 'first FAILED');
  expect(statuses).toEqual(['INITIALIZING', 'LOST', 'RECONNECTING', 'FAILED']);
  expect(upgradeTimes).toHaveLength(2);

  statuses.length = 0;
  s.start();
  await until(() => s.status === 'FAILED', 5000, 'second FAILED');
  expect(statuses).toEqual(['INITIALIZING', 'LOST', 'RECONNECTING', 'FAILED']);
  expect(upgradeTimes).toHaveLength(4);
  expectFirstBackoff(upgradeTimes, 2);
});

it('after STOPPED in the middle of a backoff, start() gets the whole budget back', async () => {
  const { stream: s, statuses, upgradeTimes } = open();
  s.start();
  await until(() => s.status === 'LOST', 5000, 'LOST');
  await s.stop();
  expect(upgradeTimes).toHaveLength(1);

  statuses.length = 0;
  s.start();
  await until(() => s.status === 'FAILED', 5000, 'FAILED after restart');
  expect(statuses).toEqual(['INITIALIZING', 'LOST', 'RECONNECTING', 'FAILED']);
  expect(upgradeTimes).toHaveLength(3);
  expectFirstBackoff(upgradeTimes, 1);
  await sleep(BACKOFF[1] + 50);
  expect(upgradeTimes).toHaveLength(3); // FAILED is final: no attempt after it
});
