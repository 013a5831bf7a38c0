/** The committed chart docs are what `npm run chart` generates from the machine now. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chartFiles, describeMachine, toMachineConfig, toMermaid } from '../../scripts/chartSource';
import { createMachine } from 'xstate';

const REPO = resolve(__dirname, '../..');

describe('statechart docs', () => {
  const readme = readFileSync(resolve(REPO, 'README.md'), 'utf8');
  it.each(Object.entries(chartFiles(readme)))(
    '%s is fresh (run `npm run chart` after changing the machine)',
    (path, generated) => {
      expect(readFileSync(resolve(REPO, path), 'utf8')).toBe(generated);
    },
  );

  it('the diagram carries what toJSON() drops: always, delays, done/error and guard names', () => {
    const mermaid = toMermaid();
    expect(mermaid).toMatch(/^stateDiagram-v2\n/);
    expect(mermaid).toMatch(/LOST --> FAILED : always \[attemptsExhausted\]/);
    expect(mermaid).toMatch(/LOST --> RECONNECTING : after backoff/);
    expect(mermaid).toMatch(/--> LOST : after heartbeatDeadline/);
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
