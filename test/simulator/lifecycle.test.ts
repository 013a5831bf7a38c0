import { Server, Socket, type AddressInfo } from 'node:net';
import { startSimulator } from '../../src/simulator';
import { TestClient, basic, wsUrl } from './helpers';

/** Active handles/requests by type, e.g. `{ Timeout: 2, TCPSocketWrap: 1 }`. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/**
 * The live handles that belong to the simulator on `port`: its listening server and both ends of
 * every connection to it. Counted by port rather than by type against a baseline, because jest runs
 * other files in this process first and their sockets close whenever they close (seen in CI: a
 * baseline of 6 sockets, 4 after, with none of ours left). `_getActiveHandles` is Node's own
 * diagnostic (used by why-is-node-running); typed here because @types/node leaves it out.
 */
function handlesOnPort(port: number): { servers: number; sockets: number } {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  let servers = 0;
  let sockets = 0;
  for (const h of handles) {
    if (h instanceof Server && (h.address() as AddressInfo | null)?.port === port) servers++;
    if (h instanceof Socket && (h.localPort === port || h.remotePort === port)) sockets++;
  }
  return { servers, sockets };
}

describe('close()', () => {
  it('terminates sockets, clears every timer and closes the server: no handle of the simulator remains', async () => {
    const baseline = resources();
    const sim = await startSimulator({
      auth: { username: 'u', password: 'p' },
      speed: 50,
      heartbeatSec: 1,
      liveEvents: 20,
      authTimeoutMs: 60_000,
    });
    const url = (path: string): string => wsUrl(sim.url, path);
    const headers = { authorization: basic('u', 'p') };
    // One socket in each state that owns a timer: live (heartbeat), stalled with held frames,
    // waiting for its token frame, waiting out a slow replay, and mid-replay.
    const live = new TestClient(url('/rest/subscribe'), { headers });
    await live.until(() => sim.sessions()[0]?.state === 'live', 3000);
    sim.faults.stall();
    const waitingForToken = new TestClient(url('/api/events/subscribe'));
    sim.faults.slowReplay(60_000, 1);
    const slow = new TestClient(url('/rest/subscribe'), { headers });
    const replaying = new TestClient(url('/rest/subscribe'), { headers });
    await Promise.all([waitingForToken.opened, slow.opened, replaying.opened]);
    await replaying.until(() => sim.sessions().some((s) => s.state === 'replaying'), 3000);
    expect(new Set(sim.sessions().map((s) => s.state))).toEqual(new Set(['live', 'auth', 'waiting', 'replaying']));

    const port = Number(new URL(sim.url).port);
    const during = resources();
    expect(handlesOnPort(port)).toEqual({ servers: 1, sockets: 8 }); // 4 clients, both ends
    expect(during.Timeout ?? 0).toBeGreaterThan(baseline.Timeout ?? 0);

    await sim.close();
    const clients = [live, waitingForToken, slow, replaying];
    await Promise.all(clients.map((c) => c.closed));
    expect(clients.every((c) => c.ws.readyState === c.ws.CLOSED)).toBe(true);
    // Let the closed sockets finish their own tear-down: a socket's handle is released some turns
    // after its 'close' event, more of them on a busy machine. A leaked socket never goes, and fails below.
    for (let turn = 0; turn < 200 && handlesOnPort(port).sockets > 0; turn++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(handlesOnPort(port)).toEqual({ servers: 0, sockets: 0 });
    // Timers carry no port; jest's own come and go, so they are compared with the baseline.
    expect(resources().Timeout ?? 0).toBeLessThanOrEqual(baseline.Timeout ?? 0);
    expect(sim.stats.openSockets).toBe(0);
    await sim.close(); // idempotent
  });

  it('refuses new upgrades once closing', async () => {
    const sim = await startSimulator({ liveEvents: false });
    await sim.close();
    const c = new TestClient(wsUrl(sim.url, '/rest/subscribe'));
    await c.closed; // connection refused: the port is closed
    expect(c.errors[0]?.code).toBe('ECONNREFUSED');
  });
});
