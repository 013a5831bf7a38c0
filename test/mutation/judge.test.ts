import { judge, type Equivalent, type Report, type ReportMutant } from '../../scripts/mutation/judge';

const SOURCE = ['export function f(a: boolean, b: boolean): boolean {', '  return a || b;', '}'].join('\n');

/** A mutant of line 2 (`  return a || b;`), replacing columns [from, to) (1-based). */
function mutant(status: string, from: number, to: number, mutatorName = 'ConditionalExpression'): ReportMutant {
  return {
    id: `${from}-${to}-${status}`,
    mutatorName,
    replacement: 'false',
    status,
    location: { start: { line: 2, column: from }, end: { line: 2, column: to } },
  };
}
const onA = (status: string) => mutant(status, 10, 11); // `a`
const onB = (status: string) => mutant(status, 15, 16); // `b`
const report = (file: string, mutants: ReportMutant[]): Report => ({ files: { [file]: { source: SOURCE, mutants } } });
const listed = (file: string, span?: string): Equivalent => ({
  file,
  mutator: 'ConditionalExpression',
  line: 'return a || b;',
  replacement: 'false',
  span,
  reason: 'test',
});
const dir = (verdict: ReturnType<typeof judge>, name: string) => verdict.dirs.find((d) => d.dir === name)!;

describe('mutation verdict', () => {
  it('src/machine must be 100%: one unlisted survivor misses the goal and is named', () => {
    const verdict = judge(report('src/machine/x.ts', [onA('Killed'), onB('Survived')]), []);
    expect(dir(verdict, 'src/machine/')).toMatchObject({ detected: 1, undetected: 1, score: 50, ok: false });
    expect(dir(verdict, 'src/machine/').missed).toEqual([
      'src/machine/x.ts:2 Survived ConditionalExpression: b -> false',
    ]);
  });

  it('a listed equivalent leaves the denominator; timeouts count as detected, no coverage as undetected', () => {
    const verdict = judge(report('src/machine/x.ts', [onA('Timeout'), onB('Survived')]), [listed('src/machine/x.ts')]);
    expect(dir(verdict, 'src/machine/')).toMatchObject({
      detected: 1,
      undetected: 0,
      equivalent: 1,
      score: 100,
      ok: true,
    });
    const uncovered = judge(report('src/machine/x.ts', [onA('NoCoverage')]), []);
    expect(dir(uncovered, 'src/machine/')).toMatchObject({ undetected: 1, ok: false });
  });

  it('span tells apart two mutants of one line with the same mutator and replacement', () => {
    const verdict = judge(report('src/machine/x.ts', [onA('Survived'), onB('Survived')]), [
      listed('src/machine/x.ts', 'a'),
    ]);
    expect(dir(verdict, 'src/machine/')).toMatchObject({ undetected: 1, equivalent: 1, ok: false });
    expect(dir(verdict, 'src/machine/').missed[0]).toContain(': b -> false');
  });

  it('src/services passes at 90% and misses below', () => {
    const killed = Array.from({ length: 9 }, (_, i) => mutant('Killed', 10, 11, `M${i}`));
    expect(dir(judge(report('src/services/y.ts', [...killed, onB('Survived')]), []), 'src/services/').ok).toBe(true);
    const fewer = killed.slice(1);
    expect(dir(judge(report('src/services/y.ts', [...fewer, onB('Survived')]), []), 'src/services/').ok).toBe(false);
  });

  it('reports a listed equivalent that no longer survives, only for files in the reports read', () => {
    const verdict = judge(report('src/services/y.ts', [onA('Killed')]), [
      listed('src/services/y.ts'),
      listed('src/machine/x.ts'),
    ]);
    expect(verdict.stale.map((e) => e.file)).toEqual(['src/services/y.ts']);
    expect(dir(verdict, 'src/machine/')).toMatchObject({ score: undefined, ok: true });
  });
});
