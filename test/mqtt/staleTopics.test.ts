import { StaleNodeTopics } from '../../src/mqtt/staleTopics';

/** The sweep's decisions alone: which retained topics it clears, and when. */
function rig() {
  const current = new Set<string>();
  let complete = false;
  const cleared: string[] = [];
  const stale = new StaleNodeTopics(
    'home',
    (topic) => current.has(topic),
    () => complete,
    (topic) => cleared.push(topic),
  );
  return { stale, current, cleared, complete: (value: boolean) => (complete = value) };
}

describe('retained node topics left by an earlier run', () => {
  it('are cleared only once the mirror is complete, and only those it still lacks', () => {
    const { stale, current, cleared, complete } = rig();
    stale.retained('home/node/A/ST'); // the replay has not reached A yet
    stale.retained('home/node/GONE/ST');
    expect(cleared).toEqual([]); // SYNCING: a missing topic may still come
    current.add('home/node/A/ST'); // the replay brought A
    complete(true);
    stale.sweep();
    expect(cleared).toEqual(['home/node/GONE/ST']);
    stale.sweep();
    expect(cleared).toEqual(['home/node/GONE/ST']); // once
  });

  it('a retained topic that arrives after the mirror is complete is judged at once', () => {
    const { stale, current, cleared, complete } = rig();
    complete(true);
    current.add('home/node/A/ST');
    stale.retained('home/node/A/ST');
    stale.retained('home/node/GONE/ST');
    expect(cleared).toEqual(['home/node/GONE/ST']);
  });

  it('listens only to retained, non-empty messages under its own node topics', () => {
    const { stale, cleared, complete } = rig();
    complete(true);
    const payload = Buffer.from('{"value":"1"}');
    stale.onMessage('home/node/X/ST', payload, { retain: false }); // its own publish coming back
    stale.onMessage('home/node/Y/ST', Buffer.alloc(0), { retain: true }); // already cleared
    stale.onMessage('other/node/Z/ST', payload, { retain: true }); // another base
    stale.onMessage('home/program/0001', payload, { retain: true }); // not a node topic
    expect(cleared).toEqual([]);
    stale.onMessage('home/node/GONE/ST', payload, { retain: true });
    expect(cleared).toEqual(['home/node/GONE/ST']);
    expect(stale.filter).toBe('home/node/+/+');
  });
});
