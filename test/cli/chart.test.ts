/** The committed chart docs are what `npm run chart` generates from the machine now. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  chartFiles,
  describeMachine,
  overviewEdges,
  overviewWords,
  toMachineConfig,
  toMermaid,
} from '../../scripts/chart/index';
import { EventStreamStatus } from '../../src/machine/status';
import { createMachine } from 'xstate';

const REPO = resolve(__dirname, '../..');

describe('statechart docs', () => {
  const readme = readFileSync(resolve(REPO, 'README.md'), 'utf8');
  let files: Record<string, string> = {};
  beforeAll(async () => {
    files = await chartFiles(readme);
  }, 60_000);

  // Listed by hand so a generator that stops producing a file fails here too.
  it.each([
    'docs/statechart.md',
    'docs/machine.json',
    'docs/statechart.dot',
    'docs/statechart.svg',
    'docs/overview.dot',
    'docs/overview.svg',
    'README.md',
  ])('%s is fresh (run `npm run chart` after changing the machine)', (path) => {
    expect(Object.keys(files)).toContain(path);
    expect(readFileSync(resolve(REPO, path), 'utf8')).toBe(files[path]);
  });

  it('renders the same SVG bytes every time (WebAssembly Graphviz, no system dot)', async () => {
    const again = await chartFiles(readme);
    expect(again['docs/statechart.svg']).toBe(files['docs/statechart.svg']);
    expect(again['docs/overview.svg']).toBe(files['docs/overview.svg']);
    expect(files['docs/overview.svg']).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
  });

  it('the overview shows the eight statuses in user words, at README width', () => {
    const svg = files['docs/overview.svg'];
    for (const status of Object.values(EventStreamStatus)) expect(svg).toContain(`>${status}</text>`);
    const width = Number(/<svg width="([\d.]+)pt"/.exec(svg)?.[1]);
    expect(width).toBeGreaterThan(300);
    expect(width).toBeLessThanOrEqual(600); // 600 pt = 800 px
    const labels = overviewEdges().flatMap((e) => e.labels);
    expect(labels).toEqual(expect.arrayContaining(['start()', 'socket open', 'replay done', 'heartbeat missed']));
    // None of the chart's own names: event types, guards, delays, actors (camelCase ones; `backoff` reads as English).
    const walkStates = (s: ReturnType<typeof describeMachine>): ReturnType<typeof describeMachine>[] => [
      s,
      ...s.children.flatMap(walkStates),
    ];
    const internal = walkStates(describeMachine())
      .flatMap((s) => s.transitions)
      .flatMap((t) => [t.event, t.guard, t.delay])
      .filter((name): name is string => name !== undefined && /[a-z][A-Z]|^[A-Z_]+$/.test(name));
    expect(internal).toEqual(expect.arrayContaining(['quietWindow', 'SOCKET_CLOSED', 'authHopeless']));
    for (const label of labels) for (const name of internal) expect(label).not.toContain(name);
    expect(overviewEdges()).toEqual(
      expect.arrayContaining([
        { from: 'SYNCING', to: 'CONNECTED', labels: ['replay done'] },
        { from: 'LOST', to: 'FAILED', labels: ['maxAttempts reached'] },
      ]),
    );
  });

  it('a transition the overview has no words for fails the build instead of showing an internal name', () => {
    expect(() =>
      overviewWords({ source: 'stream.LOST', targets: [], kind: 'event', event: 'PAUSE', actions: [], reenter: false }),
    ).toThrow(/no words for event:PAUSE/);
  });

  it('the diagram carries what toJSON() drops: always, delays, done/error and guard names', () => {
    const mermaid = toMermaid();
    expect(mermaid).toMatch(/^stateDiagram-v2\n/);
    expect(mermaid).toMatch(/LOST --> FAILED : always \[attemptsExhausted\]/);
    expect(mermaid).toMatch(/LOST --> RECONNECTING : after backoff/);
    expect(mermaid).toMatch(/--> linkDead : after heartbeatDeadline/);
    expect(mermaid).toMatch(/linkDead --> LOST : always/);
    expect(mermaid).toMatch(/INITIALIZING_connecting --> OPEN : done#58; connect/);
    expect(mermaid).toMatch(
      /INITIALIZING_connecting --> INITIALIZING_refreshingAuth : error#58; connect \[shouldRefreshAuth\]/,
    );
    expect(mermaid).toMatch(/FRAME \[isHeartbeat\]/);
    // Parallel regions are separated by Mermaid's concurrency marker.
    expect(mermaid).toMatch(/state OPEN \{\n\s+state phase \{[\s\S]*\n\s+--\n\s+state watchdog \{/);
    // Mermaid ends a label at ':' or ';' unless encoded.
    for (const line of mermaid.split('\n').filter((l) => l.includes('-->'))) {
      expect(line.split(' : ').slice(1).join(' : ').replace(/#58;/g, '')).not.toMatch(/[:;]/);
    }
  });

  it('machine.json is a machine config XState accepts, with every state of the chart', () => {
    const config = toMachineConfig();
    const rebuilt = createMachine(config as never);
    const ids = (node: { id: string; states: Record<string, unknown> }): string[] => [
      node.id,
      ...Object.values(node.states).flatMap((s) => ids(s as never)),
    ];
    const original = describeMachine();
    const walk = (s: typeof original): string[] => [s.id, ...s.children.flatMap(walk)];
    expect(ids(rebuilt.root as never).sort()).toEqual(walk(original).sort());
    expect(JSON.stringify(config)).not.toMatch(/xstate\.|"raise"|"cancel"/);
    expect(JSON.stringify(config)).toContain(
      '"always":{"target":"#stream.FAILED","guard":"attemptsExhausted","actions":["recordGaveUp"]}',
    );
  });
});
