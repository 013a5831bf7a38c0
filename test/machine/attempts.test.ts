/**
 * INITIALIZING and RECONNECTING are the same connect attempt, written out twice in
 * src/machine/streamMachine.ts so that Stately's static extractor sees both whole (it cannot follow
 * a spread or a shared constant). This test is what keeps the two copies one design: it compares
 * them as the running machine built them, not as text.
 */
import { createMachine } from 'xstate';
import { streamMachine } from '../../src/machine/streamMachine';

type Node = { definition: unknown; states: Record<string, Node> };
type AnyConfig = Record<string, unknown> & { states: Record<string, Record<string, unknown>> };

/**
 * The shape of one status state as the machine runs it: child states, transitions (event, guard,
 * targets, actions, re-entry), delays, invoked actors and their input mapping, entry and exit. The
 * state's own name and tag are taken out, so the two copies compare equal when the designs agree.
 */
function attemptShape(root: { states: Record<string, Node> }, key: string): string {
  const own = new RegExp(`\\b${key}\\b`, 'g');
  return JSON.stringify(root.states[key].definition, (name, value: unknown) => {
    // `order` is the node's position in the document, not part of its design.
    if (name === 'toJSON' || name === 'tags' || name === 'order') return undefined;
    // Input mappers are named functions: the same function in both copies is the same design. (By
    // name, not source text: instrumentation such as Stryker's rewrites the text per copy.)
    if (typeof value === 'function') return `fn ${(value as { name: string }).name || String(value)}`;
    return value;
  }).replace(own, 'ATTEMPT');
}

describe('the two connect attempts', () => {
  it('INITIALIZING and RECONNECTING have the same inside', () => {
    const initializing = attemptShape(streamMachine.root, 'INITIALIZING');
    expect(initializing).toContain('"connecting"');
    expect(initializing).toContain('"refreshingAuth"');
    expect(initializing).toContain('shouldRefreshAuth');
    expect(attemptShape(streamMachine.root, 'RECONNECTING')).toBe(initializing);
  });

  it('each carries its own status tag', () => {
    expect([...(streamMachine.root.states.INITIALIZING.tags ?? [])]).toEqual(['INITIALIZING']);
    expect([...(streamMachine.root.states.RECONNECTING.tags ?? [])]).toEqual(['RECONNECTING']);
  });

  // The comparison must see a drift anywhere inside: a target, a guard, a delay's action.
  const config = streamMachine.config as unknown as AnyConfig;
  const reconnecting = config.states.RECONNECTING as AnyConfig;
  const connecting = reconnecting.states.connecting;
  const drifts: Array<[string, Record<string, unknown>]> = [
    ['a timeout that goes elsewhere', { after: { connectTimeout: { target: '#stream.FAILED' } } }],
    ['a missing guard', { invoke: { ...(connecting.invoke as object), onError: [{ target: '#stream.LOST' }] } }],
    ['an extra event', { on: { FRAME: { target: '#stream.LOST' } } }],
  ];
  it.each(drifts)('detects %s in one copy', (_name, change) => {
    const drifted = createMachine({
      ...config,
      states: {
        ...config.states,
        RECONNECTING: { ...reconnecting, states: { ...reconnecting.states, connecting: { ...connecting, ...change } } },
      },
    } as never);
    expect(attemptShape(drifted.root as never, 'RECONNECTING')).not.toBe(
      attemptShape(drifted.root as never, 'INITIALIZING'),
    );
  });
});
