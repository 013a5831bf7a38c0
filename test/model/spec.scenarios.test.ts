import { createPathHarness, streamPath } from '../../src/testing';
import { rotation } from './hostile';
import { Oracle } from './oracle';

/**
 * Scenarios the spec requires, named step by step rather than generated from the chart. The
 * generated paths move with the chart: a chart that stops reacting to a socket close generates no
 * path with SOCKET_CLOSED in it, and every generated path still passes (mutation testing found
 * exactly that, and a 401 recovery that never counted as used). Here the harness drives each step
 * in the world regardless, and the spec oracle says what must follow.
 */
const SCENARIOS: ReadonlyArray<readonly [rule: string, steps: readonly string[]]> = [
  [
    'a socket the controller closes during the replay is LOST',
    ['START', 'slotRelease.done', 'connect.done', 'FRAME', 'SOCKET_CLOSED'],
  ],
  [
    'a socket the controller closes once CONNECTED is LOST',
    ['START', 'slotRelease.done', 'connect.done', 'FRAME', 'after.quietWindow', 'SOCKET_CLOSED'],
  ],
  ['a socket that fails during the replay is LOST', ['START', 'slotRelease.done', 'connect.done', 'SOCKET_ERROR']],
  [
    'a socket that fails once CONNECTED is LOST',
    ['START', 'slotRelease.done', 'connect.done', 'FRAME', 'after.quietWindow', 'SOCKET_ERROR'],
  ],
  [
    'a second 401 in one attempt is FAILED: one repair, one retry',
    [
      'START',
      'slotRelease.done',
      'connect.error(401)',
      'refreshAuth.done(true)',
      'slotRelease.done',
      'connect.error(401)',
    ],
  ],
];

describe('spec scenarios, named step by step', () => {
  it.each(SCENARIOS)('%s', async (_rule, steps) => {
    const path = streamPath(steps);
    const h = await createPathHarness({ rotation });
    try {
      const oracle = new Oracle(h, path);
      await h.run(path, { afterStep: oracle.afterStep });
    } finally {
      await h.close();
    }
  });

  it('streamPath refuses a step it cannot drive', () => {
    expect(() => streamPath(['START', 'SOCKET_EXPLODED'])).toThrow(/no step is called 'SOCKET_EXPLODED'/);
  });
});
