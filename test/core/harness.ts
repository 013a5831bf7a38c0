import { createEventStream, silentLogger, type EventStream, type EventStreamOptions } from '../../src';
import { heartbeatFrame, ScriptedServer } from '../helpers/scriptedServer';

/** Real time throughout the core suites (the model-based suite uses a simulated clock). */
export const FAST = {
  quietMs: 150,
  syncMaxMs: 3000,
  backoffMs: [60, 120, 240],
  heartbeatGraceMs: 200,
  connectTimeoutMs: 1000,
  logger: silentLogger,
} as const;

/** A scripted controller per test, and the streams a test opens against it. */
export interface CoreWorld {
  /** This test's server (a new one for every test). */
  readonly server: ScriptedServer;
  /** A stream on this test's server with the FAST timings; stopped after the test. */
  open(options?: Partial<EventStreamOptions>): EventStream;
  /** A fresh server, for a test that closed its own (a refused connection). */
  restartServer(): Promise<void>;
}

/**
 * Register the per-test server and clean-up: every stream opened is stopped, and whatever the
 * test did, the client never had two sockets open at once.
 */
export function useScriptedServer(): CoreWorld {
  let server: ScriptedServer | undefined;
  const streams: EventStream[] = [];
  const world: CoreWorld = {
    get server(): ScriptedServer {
      if (!server) throw new Error('the scripted server exists only inside a test');
      return server;
    },
    open(options = {}) {
      const stream = createEventStream({ url: world.server.url, ...FAST, ...options });
      streams.push(stream);
      return stream;
    },
    async restartServer() {
      server = await ScriptedServer.start();
    },
  };
  beforeEach(async () => {
    server = await ScriptedServer.start();
    // By default the controller replays one frame (a heartbeat), so SYNCING ends after quietMs.
    server.onConnection = (ws) => ws.send(heartbeatFrame(90, 0));
  });
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.stop()));
    expect(world.server.peakOpen).toBeLessThanOrEqual(1);
    expect(world.server.peakTcp).toBeLessThanOrEqual(1);
    await world.server.close();
  });
  return world;
}

/** Every status change of `stream`, with when it happened. */
export function timeline(stream: EventStream): Array<{ status: string; at: number }> {
  const seen: Array<{ status: string; at: number }> = [];
  stream.onStatus((status) => seen.push({ status, at: Date.now() }));
  return seen;
}
