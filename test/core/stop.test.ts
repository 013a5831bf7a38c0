import { type EventStream } from '../../src';
import { eventFrame, heartbeatFrame, sleep, until } from '../helpers/scriptedServer';
import { FAST, useScriptedServer } from './harness';

/** stop() from every status, against a real loopback server. */
const world = useScriptedServer();

describe('stop', () => {
  async function stopIn(status: string, arrange: (stream: EventStream) => Promise<void>): Promise<void> {
    const stream = world.open();
    let afterStop = 0;
    let stopped = false;
    stream.onEvent(() => {
      if (stopped) afterStop++;
    });
    await arrange(stream);
    expect(stream.status).toBe(status);
    await stream.stop();
    stopped = true;
    expect(stream.status).toBe('STOPPED');
    await world.server.waitClosed();
    world.server.broadcast(eventFrame('ST', '1', 'AA 00 00 1'));
    await sleep(FAST.backoffMs[2] + 50);
    expect(afterStop).toBe(0);
    expect(stream.status).toBe('STOPPED');
    // Idempotent.
    await stream.stop();
  }

  it('from NOT_STARTED', () => stopIn('NOT_STARTED', async () => {}));

  it('from INITIALIZING (upgrade pending)', () => {
    world.server.verdict = () => ({ kind: 'hang' });
    return stopIn('INITIALIZING', async (s) => {
      s.start();
      await until(() => world.server.upgrades.length === 1);
    });
  });

  it('from SYNCING', () => {
    world.server.onConnection = (ws) => ws.send(eventFrame('ST', '1', 'AA 00 00 1'));
    return stopIn('SYNCING', async (s) => {
      s.start();
      await until(() => s.status === 'SYNCING');
    });
  });

  it('from CONNECTED', () =>
    stopIn('CONNECTED', async (s) => {
      s.start();
      await until(() => s.status === 'CONNECTED');
    }));

  it('from LOST', () => {
    world.server.verdict = () => ({ kind: 'reject', status: 503 });
    return stopIn('LOST', async (s) => {
      s.start();
      await until(() => s.status === 'LOST');
    });
  });

  it('from RECONNECTING', () => {
    world.server.verdict = (info) => (info.index === 0 ? { kind: 'reject', status: 503 } : { kind: 'hang' });
    return stopIn('RECONNECTING', async (s) => {
      s.start();
      await until(() => s.status === 'RECONNECTING' && world.server.upgrades.length === 2);
    });
  });

  it('from FAILED', () => {
    world.server.verdict = () => ({ kind: 'reject', status: 401 });
    return stopIn('FAILED', async (s) => {
      s.start();
      await until(() => s.status === 'FAILED');
    });
  });

  it('leaves no timer, socket or handle behind and can start again', async () => {
    const countOf = (list: string[], kind: string) => list.filter((r) => r === kind).length;
    const baseline = {
      timers: countOf(process.getActiveResourcesInfo(), 'Timeout'),
      tcp: countOf(process.getActiveResourcesInfo(), 'TCPSocketWrap'),
    };
    world.server.onConnection = (ws) => ws.send(heartbeatFrame(90, 0));
    const stream = world.open();
    stream.start();
    await until(() => stream.status === 'CONNECTED');
    await stream.stop();
    await world.server.waitClosed();
    // Other suites' timers may come and go; ours must all be gone within a moment.
    await until(
      () => {
        const after = process.getActiveResourcesInfo();
        return countOf(after, 'Timeout') <= baseline.timers && countOf(after, 'TCPSocketWrap') <= baseline.tcp;
      },
      1500,
      'no timers or sockets left',
    );
    stream.start();
    await until(() => stream.status === 'CONNECTED');
    expect(stream.stats.connections).toBe(2);
  });
});
