/**
 * The chart alone, with stub actors and a simulated clock (no I/O), for tests of its rules.
 */
import { createActor, fromCallback, fromPromise, SimulatedClock, type Actor } from 'xstate';
import type { OpenLink, ReaderEvent, ReaderInput, StreamEvent } from '../../src/machine/events';
import { statusOf as statusOfSnapshot } from '../../src/machine/status';
import { streamMachine } from '../../src/machine/streamMachine';
import type { StreamPolicy } from '../../src/machine/policy';

export const link: OpenLink = { abandon: () => {} };

export interface Rig {
  actor: Actor<typeof streamMachine>;
  clock: SimulatedClock;
  /** Send an event as the reader would (FRAME, SOCKET_CLOSED, SOCKET_ERROR). */
  fromReader: (event: StreamEvent) => void;
}

/** Start the chart with stub actors: `connect` settles as `connectOutcome` says, `refreshAuth` with `repaired`. */
export function rig(
  policy: Partial<StreamPolicy>,
  connectOutcome: () => Promise<OpenLink>,
  repaired: () => Promise<boolean> = async () => true,
): Rig {
  let sendToChart: ((event: StreamEvent) => void) | null = null;
  const clock = new SimulatedClock();
  const machine = streamMachine.provide({
    actors: {
      slotRelease: fromPromise<void, void>(async () => {}),
      connect: fromPromise<OpenLink, { failures: number }>(connectOutcome),
      refreshAuth: fromPromise<boolean, void>(repaired),
      reader: fromCallback<ReaderEvent, ReaderInput>(({ sendBack }) => {
        sendToChart = sendBack;
      }),
    },
  });
  const actor = createActor(machine, { input: { policy: { random: () => 0, ...policy } }, clock });
  actor.start();
  actor.send({ type: 'START' });
  return {
    actor,
    clock,
    fromReader: (event) => {
      if (!sendToChart) throw new Error('no reader running');
      sendToChart(event);
    },
  };
}

/** Let the stub actors' promises settle. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The status the chart shows now, read as the stream reads it (`statusOf` of src/machine/status). */
export const statusOf = (actor: Rig['actor']) => statusOfSnapshot(actor.getSnapshot());
