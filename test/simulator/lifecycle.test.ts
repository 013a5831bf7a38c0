import { startSimulator } from '../../src/simulator';
import { TestClient, basic, wsUrl } from './helpers';

/** Active handles/requests by type, e.g. `{ Timeout: 2, TCPSocketWrap: 1 }`. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
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

    const during = resources();
    expect(during.TCPServerWrap).toBe(1);
    expect(during.Timeout ?? 0).toBeGreaterThan(baseline.Timeout ?? 0);

    await sim.close();
    const clients = [live, waitingForToken, slow, replaying];
    await Promise.all(clients.map((c) => c.closed));
    expect(clients.every((c) => c.ws.readyState === c.ws.CLOSED)).toBe(true);
    // Let the closed sockets finish their own tear-down: a socket's handle is released some turns
    // after its 'close' event, more of them on a busy machine. A leaked socket never goes, and fails below.
    // Counted against the baseline: jest runs other files in this process before, and their handles are not ours.
    const socketsBefore = baseline.TCPSocketWrap ?? 0;
    for (let turn = 0; turn < 200 && (resources().TCPSocketWrap ?? 0) > socketsBefore; turn++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    // Jest's own handles come and go; ours are sockets, the server and timers.
    const after = resources();
    // While open, the one server handle was ours (checked above); none may remain. Not compared with
    // the baseline: a server of an earlier file in this worker can close meanwhile (seen in CI: 1 -> 0).
    expect(after.TCPServerWrap ?? 0).toBe(0);
    expect(after.TCPSocketWrap ?? 0).toBe(socketsBefore);
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(baseline.Timeout ?? 0);
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
