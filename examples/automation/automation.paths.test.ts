/**
 * Path-coverage tests for the automation app, generated from the stream's statechart: every
 * transition of the chart, each driven for real (a real stream, a loopback controller, a simulated
 * clock), with the app attached as in production. After each step: the app shows offline exactly
 * when the stream is not CONNECTED, and the automation fired for the live status changes the
 * controller sent in that step, and for nothing replayed.
 */
import { EventStreamStatus, type EventStream } from 'iox-event-stream';
import { createPathHarness, pathCoverage, streamPaths, type StreamPath } from 'iox-event-stream/testing';
import { startAutomationApp, type AutomationApp } from './app';
import { startBuggyAutomationApp } from './buggyApp';

const paths = streamPaths();

/** Run one path with the app attached; reject on the first step where the app misbehaves. */
async function checkApp(startApp: (stream: EventStream) => AutomationApp, path: StreamPath): Promise<void> {
  const h = await createPathHarness();
  const app = startApp(h.stream);
  let firedBefore = 0;
  try {
    await h.run(path, {
      afterStep: (step) => {
        expect(h.stream.status).toBe(step.status);
        if (!step.settled) return; // a STOP issued together with the next START: the app is mid-change
        expect(app.showsOffline).toBe(step.status !== EventStreamStatus.CONNECTED);
        // Live status changes fire the automation; the connect-time replay never does.
        const live = step.frames.filter((frame) => !frame.replay && frame.heartbeatSec === undefined);
        expect(app.fired.slice(firedBefore)).toEqual(live.map((frame) => frame.node));
        firedBefore = app.fired.length;
      },
    });
  } finally {
    app.stop();
    await h.close();
  }
}

it('the generated paths walk every state and transition of the chart', () => {
  const { states, transitions } = pathCoverage(paths);
  expect(states.covered).toBe(states.total);
  expect(transitions.covered).toBe(transitions.total);
});

describe('the automation app, on every path', () => {
  it.each(paths.map((path) => [path.description, path] as const))('%s', async (_description, path) =>
    checkApp(startAutomationApp, path),
  );
});

describe('the planted bug (automation fired on a replayed status)', () => {
  it('fails the generated tests', async () => {
    // Run paths until one fails: the first path that replays a status before it is CONNECTED.
    let failure: { path: string; message: string } | null = null;
    for (const path of paths) {
      try {
        await checkApp(startBuggyAutomationApp, path);
      } catch (error) {
        failure = { path: path.description, message: (error as Error).message };
        break;
      }
    }
    expect(failure).not.toBeNull();
    // It failed on the automation, not on anything else: the buggy app fired for a replayed frame.
    expect(failure!.message).toMatch(/toEqual/);
    expect(failure!.path).toMatch(/connect\.done → .*FRAME/);
  });
});
