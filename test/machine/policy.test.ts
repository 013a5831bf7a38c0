/**
 * The policy's arithmetic, as documented on `EventStreamOptions` and `StreamPolicy`: the defaults,
 * the backoff schedule (attempt N waits step N, staying at the last), jitter that only shortens,
 * the timer clamp, and the status read from a snapshot. Pure functions, no I/O.
 */
import {
  backoffDelay,
  DEFAULT_POLICY,
  MAX_TIMER_MS,
  randomFraction,
  timerMs,
  type StreamPolicy,
} from '../../src/machine/policy';
import { createActor } from 'xstate';
import { EventStreamStatus, isStatus, statusOf } from '../../src/machine/status';
import { streamMachine } from '../../src/machine/streamMachine';

const policy = (overrides: Partial<StreamPolicy> = {}): StreamPolicy => ({ ...DEFAULT_POLICY, ...overrides });

describe('DEFAULT_POLICY: the documented defaults', () => {
  it('matches the values EventStreamOptions documents', () => {
    expect({ ...DEFAULT_POLICY, random: undefined }).toEqual({
      quietMs: 1000,
      syncMaxMs: 10_000,
      backoffMs: [1000, 2000, 5000, 10_000, 30_000, 60_000],
      jitter: 0,
      heartbeatGraceMs: 5000,
      defaultHeartbeatPromiseMs: 90_000,
      connectTimeoutMs: 15_000,
      maxAttempts: Number.POSITIVE_INFINITY,
      random: undefined,
    });
    expect(DEFAULT_POLICY.random).toBe(Math.random);
  });
});

describe('backoffDelay', () => {
  it('waits step N before attempt N+1 and stays at the last step', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 50].map((failures) => backoffDelay(policy(), failures));
    expect(delays).toEqual([1000, 1000, 2000, 5000, 10_000, 30_000, 60_000, 60_000, 60_000]);
  });

  it('jitter only shortens, by up to its fraction, drawn from random in [0, 1]', () => {
    const jittered = (random: number) =>
      backoffDelay(policy({ backoffMs: [1000], jitter: 0.2, random: () => random }), 1);
    expect(jittered(0)).toBe(1000);
    expect(jittered(0.5)).toBe(900);
    expect(jittered(1)).toBe(800);
    expect(jittered(0.333)).toBe(933); // rounded to whole ms
  });

  it('does not draw at all without jitter', () => {
    const random = jest.fn(() => 0.5);
    expect(backoffDelay(policy({ jitter: 0, random }), 2)).toBe(2000);
    expect(random).not.toHaveBeenCalled();
  });
});

describe('randomFraction', () => {
  it('takes [0, 1] as is, anything else (or a throw) as 0', () => {
    expect([0, 0.25, 1].map((v) => randomFraction(() => v))).toEqual([0, 0.25, 1]);
    expect([-0.01, 1.01, Number.NaN].map((v) => randomFraction(() => v))).toEqual([0, 0, 0]);
    expect(randomFraction(() => '0.5' as unknown as number)).toBe(0);
    expect(
      randomFraction(() => {
        throw new Error('no entropy');
      }),
    ).toBe(0);
  });
});

describe('timerMs', () => {
  it('keeps a delay a timer can hold, clamps a longer one, and floors the rest at 0', () => {
    expect(timerMs(1500.5)).toBe(1500.5);
    expect(timerMs(MAX_TIMER_MS)).toBe(MAX_TIMER_MS);
    expect(timerMs(MAX_TIMER_MS + 1)).toBe(MAX_TIMER_MS);
    expect([0, -1, Number.NaN].map(timerMs)).toEqual([0, 0, 0]);
    expect(MAX_TIMER_MS).toBe(2147483647);
  });
});

describe('statusOf / isStatus', () => {
  const snapshot = (tags: string[]) => ({ hasTag: (tag: string) => tags.includes(tag) });

  it('reads the one status tag among others', () => {
    expect(statusOf(snapshot(['replaying', 'SYNCING']))).toBe('SYNCING');
    for (const status of Object.values(EventStreamStatus)) expect(statusOf(snapshot([status]))).toBe(status);
  });

  it('throws on a snapshot with no status tag', () => {
    expect(() => statusOf(snapshot(['replaying']))).toThrow(/no status tag/);
  });

  it('isStatus: the eight statuses, nothing else', () => {
    expect(Object.values(EventStreamStatus)).toHaveLength(8);
    expect(Object.values(EventStreamStatus).every(isStatus)).toBe(true);
    expect(['connected', 'OPEN', ''].some(isStatus)).toBe(false);
  });
});

describe('the chart without input', () => {
  it('runs on DEFAULT_POLICY', () => {
    // XState types ask for input; a JavaScript caller (or Stately's editor) may give none.
    const actor = createActor(streamMachine, { input: undefined });
    actor.start();
    expect(actor.getSnapshot().context.policy).toEqual(DEFAULT_POLICY);
    actor.stop();
  });
});
