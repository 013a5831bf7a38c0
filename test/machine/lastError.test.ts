/**
 * What the chart records as `lastError` on each way an attempt or a connection ends: the whole
 * summary (name, code, message with its numbers), not only the code the model suite's oracle checks.
 * Apps log and show these; a wrong number in "gave up after N attempts" misleads whoever reads it.
 * The chart alone, with stub actors and a simulated clock: no I/O.
 */
import type { OpenLink } from '../../src/machine/events';
import { link, rig, settle, statusOf } from './rig';

describe("the chart's lastError, in full", () => {
  it('a connect step past connectTimeoutMs: CONNECT_TIMEOUT naming the limit', async () => {
    const { actor, clock } = rig({ connectTimeoutMs: 300 }, () => new Promise<OpenLink>(() => {}));
    await settle();
    clock.increment(299);
    expect(statusOf(actor)).toBe('INITIALIZING');
    clock.increment(1);
    expect(statusOf(actor)).toBe('LOST');
    expect(actor.getSnapshot().context.lastError).toEqual({
      name: 'ConnectTimeoutError',
      code: 'CONNECT_TIMEOUT',
      message: 'connect attempt took longer than 300 ms',
    });
    actor.stop();
  });

  it('a silent link: HEARTBEAT_TIMEOUT naming the promise plus grace', async () => {
    const { actor, clock, fromReader } = rig({ heartbeatGraceMs: 500, quietMs: 100 }, async () => link);
    await settle();
    fromReader({ type: 'FRAME', count: 1, heartbeatSec: 2 });
    clock.increment(2499);
    expect(actor.getSnapshot().context.lastError).toBeNull();
    clock.increment(1);
    expect(statusOf(actor)).toBe('LOST');
    expect(actor.getSnapshot().context.lastError).toEqual({
      name: 'HeartbeatTimeout',
      code: 'HEARTBEAT_TIMEOUT',
      message: 'no frame for 2500 ms (heartbeat promise + grace): link is dead',
    });
    actor.stop();
  });

  it('a close by the peer: SOCKET_CLOSED with its close code', async () => {
    const { actor, fromReader } = rig({}, async () => link);
    await settle();
    fromReader({ type: 'SOCKET_CLOSED', code: 1011, reason: 'server error' });
    expect(statusOf(actor)).toBe('LOST');
    expect(actor.getSnapshot().context.lastError).toEqual({
      name: 'SocketClosed',
      code: 'SOCKET_CLOSED',
      message: 'socket closed by peer (code 1011)',
    });
    actor.stop();
  });

  it('a socket error: the error as the reader summarised it', async () => {
    const { actor, fromReader } = rig({}, async () => link);
    await settle();
    const error = { name: 'Error', code: 'ECONNRESET', message: 'read ECONNRESET' };
    fromReader({ type: 'SOCKET_ERROR', error });
    expect(statusOf(actor)).toBe('LOST');
    expect(actor.getSnapshot().context.lastError).toEqual(error);
    actor.stop();
  });

  it('a 401 the strategy cannot repair: AUTH_REJECTED with status 401', async () => {
    const unauthorized = Object.assign(new Error('HTTP 401'), { code: 'HANDSHAKE_STATUS', status: 401 });
    const { actor } = rig(
      {},
      async () => Promise.reject(unauthorized),
      async () => false,
    );
    await settle();
    await settle();
    expect(statusOf(actor)).toBe('FAILED');
    expect(actor.getSnapshot().context.lastError).toEqual({
      name: 'AuthRejectedError',
      code: 'AUTH_REJECTED',
      status: 401,
      message: 'credentials rejected (HTTP 401) and the auth strategy cannot repair them',
    });
    actor.stop();
  });

  it('maxAttempts used up: MAX_ATTEMPTS counting the failures and naming the last error', async () => {
    const refused = Object.assign(new Error('HTTP 500'), { code: 'HANDSHAKE_STATUS', status: 500 });
    const { actor, clock } = rig({ maxAttempts: 2, backoffMs: [100] }, async () => Promise.reject(refused));
    await settle();
    expect(statusOf(actor)).toBe('LOST');
    clock.increment(100);
    await settle();
    expect(statusOf(actor)).toBe('FAILED');
    expect(actor.getSnapshot().context.lastError).toEqual({
      name: 'MaxAttemptsError',
      code: 'MAX_ATTEMPTS',
      message: 'gave up after 2 consecutive failed attempts (last: HTTP 500)',
    });
    actor.stop();
  });
});
