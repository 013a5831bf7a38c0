/** `createPathHarness()`: what it leaves behind, and how it fails. */
import { createPathHarness, HarnessError, streamPaths, type StreamPath } from '../../src/testing';

const connected = streamPaths()
  .filter((p) => p.steps.at(-1)!.status === 'CONNECTED')
  .sort((a, b) => a.steps.length - b.steps.length)[0];

describe('createPathHarness()', () => {
  it('drives a path to CONNECTED, reports each step settled, and leaves nothing open after close()', async () => {
    const h = await createPathHarness();
    const seen: string[] = [];
    await h.run(connected, {
      afterStep: (step) => {
        expect(step.settled).toBe(true);
        seen.push(`${step.index}:${h.stream.status}`);
      },
    });
    expect(seen).toEqual(connected.steps.map((s, i) => `${i}:${s.status}`));
    expect(h.controller.openCount).toBe(1);
    await h.close();
    expect(h.controller.tcpCount).toBe(0);
    expect(h.clock.pending()).toEqual([]);
    expect(h.stream.status).toBe('STOPPED');
    await expect(h.run(connected)).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('rejects a step it cannot cause with UNKNOWN_EVENT, naming the step, and closes itself', async () => {
    const h = await createPathHarness();
    const bogus: StreamPath = {
      description: 'START → NOPE',
      steps: [connected.steps[0], { event: 'NOPE', status: 'INITIALIZING', state: connected.steps[0].state }],
      events: [connected.events[0], { type: 'NOPE' }],
    };
    const error = await h.run(bogus).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect(error).toMatchObject({ code: 'UNKNOWN_EVENT', message: expect.stringContaining('step 1 (NOPE)') });
    expect(h.controller.tcpCount).toBe(0);
    await h.close(); // idempotent after the failure
  });

  it('rejects with what afterStep throws, and closes itself', async () => {
    const h = await createPathHarness();
    const error = await h
      .run(connected, {
        afterStep: (step) => {
          if (step.status === 'SYNCING') throw new Error('the app is wrong');
        },
      })
      .catch((e: unknown) => e);
    expect(error).toEqual(new Error('the app is wrong'));
    expect(h.controller.tcpCount).toBe(0);
    expect(h.stream.status).toBe('STOPPED');
  });
});
