/**
 * Which errors the chart treats as verdicts (FAILED, or one auth repair) and which as a reason to
 * retry (LOST): the guards `isUnauthorized`, `certificateRejected`, `authHopeless` and
 * `repairHopeless`, fed the error shapes the actors throw. Pure chart, stub actors.
 */
import { createActor } from 'xstate';
import { streamMachine } from '../../src/machine/streamMachine';
import { rig, settle, statusOf } from './rig';

const error = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.code)), fields);

async function afterConnectError(thrown: Error, repaired: () => Promise<boolean> = async () => true) {
  let refreshes = 0;
  const { actor } = rig(
    { backoffMs: [1000] },
    async () => Promise.reject(thrown),
    async () => {
      refreshes++;
      return repaired();
    },
  );
  await settle();
  const state = actor.getSnapshot().value;
  const status = statusOf(actor);
  const code = actor.getSnapshot().context.lastError?.code;
  actor.stop();
  return { status, state, refreshes, code };
}

describe('verdicts of the chart on a failed connect', () => {
  it('a 1008 close after the token frame (TOKEN_REJECTED) is a 401: the strategy repairs once', async () => {
    const outcome = await afterConnectError(error({ code: 'TOKEN_REJECTED' }), () => new Promise(() => {}));
    expect(outcome).toMatchObject({ status: 'INITIALIZING', state: { INITIALIZING: 'refreshingAuth' }, refreshes: 1 });
  });

  it.each([
    ['a rejected certificate', { code: 'TLS_FAILED', certificateRejected: true }, 'FAILED'],
    ['a TLS failure that is not about the certificate', { code: 'TLS_FAILED', certificateRejected: false }, 'LOST'],
    [
      'an auth error caused by a rejected certificate',
      { code: 'AUTH_TRANSIENT', cause: { code: 'TLS_FAILED', certificateRejected: true } },
      'FAILED',
    ],
    [
      'an auth error caused by another TLS failure',
      { code: 'AUTH_TRANSIENT', cause: { code: 'TLS_FAILED', certificateRejected: false } },
      'LOST',
    ],
    ['credentials rejected', { code: 'AUTH_REJECTED', status: 401 }, 'FAILED'],
    ['HTTP 500', { code: 'HANDSHAKE_STATUS', status: 500 }, 'LOST'],
  ])('%s: %j -> %s', async (_name, fields, status) => {
    const outcome = await afterConnectError(error(fields));
    expect(outcome.status).toBe(status);
    expect(outcome.refreshes).toBe(0);
    expect(outcome.code).toBe(fields.code);
  });

  it.each([
    ['credentials rejected', { code: 'AUTH_REJECTED' }, 'FAILED'],
    ['a rejected certificate on the auth endpoint', { code: 'TLS_FAILED', certificateRejected: true }, 'FAILED'],
    ['a transient auth failure', { code: 'AUTH_TRANSIENT' }, 'LOST'],
  ])('the repair after a 401 meets %s: %j -> %s', async (_name, fields, status) => {
    const outcome = await afterConnectError(error({ code: 'HANDSHAKE_STATUS', status: 401 }), async () =>
      Promise.reject(error(fields)),
    );
    expect(outcome.refreshes).toBe(1);
    expect(outcome.status).toBe(status);
  });
});

describe('the chart without createEventStream()', () => {
  it.each(['slotRelease', 'connect', 'refreshAuth', 'reader'] as const)(
    "its placeholder '%s' actor fails naming itself",
    async (name) => {
      const logic = streamMachine.implementations.actors[name];
      const failure = await new Promise<unknown>((resolve) => {
        const actor = createActor(logic as never, { input: { failures: 0 } as never });
        actor.subscribe({ error: resolve });
        actor.start();
      });
      expect(String(failure)).toContain(`'${name}' is provided by createEventStream()`);
    },
  );
});
