/** `npm start`: the demo runs to completion by itself and its summary shows every promised status. */
import { runTs } from './spawn';

it('the demo walks every promised status, survives a drop, a stall and a 401, and ends with mirror == truth', async () => {
  const run = await runTs('src/demo.ts', [], { timeoutMs: 45_000 });
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(run.ms).toBeLessThan(30_000);
  const out = run.stdout;
  const walk = /statuses\s+(.+)/.exec(out)?.[1]?.split(' → ') ?? [];
  for (const status of ['NOT_STARTED', 'INITIALIZING', 'SYNCING', 'CONNECTED', 'LOST', 'RECONNECTING', 'STOPPED'])
    expect(walk).toContain(status);
  expect(walk[0]).toBe('NOT_STARTED');
  expect(walk.at(-1)).toBe('STOPPED');
  // Three faults, three recoveries.
  expect(walk.filter((s) => s === 'LOST')).toHaveLength(3);
  expect(walk.filter((s) => s === 'CONNECTED')).toHaveLength(4);
  expect(out).toMatch(/● LOST .*\[SOCKET_CLOSED\]/);
  expect(out).toMatch(/● LOST .*\[HEARTBEAT_TIMEOUT\]/);
  expect(out).toMatch(/HTTP 401/);
  expect(out).toMatch(/replay: \d+ status events for \d+ nodes \(counted, not shown as live\)/);
  expect(out).toMatch(/reconnects\s+3/);
  expect(out).toMatch(/mirror\s+\d{3} nodes/);
  expect(out).toMatch(/mirror == simulator truth ✔/);
}, 50_000);
