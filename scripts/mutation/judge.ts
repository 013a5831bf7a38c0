/**
 * The verdict on Stryker runs (issue 17), as a pure function of their reports and the list of
 * equivalent mutants: every mutant in src/machine killed or listed as equivalent, src/services at
 * 90% or more. Listed equivalents leave the score's denominator. The command line around it is
 * scripts/mutationVerdict.ts.
 */

/** One mutant as Stryker's report (mutation-testing-report-schema) gives it: the fields read here. */
export interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  /** 1-based lines and columns; `end` is exclusive. */
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

/** A Stryker JSON report (or several merged): per source file, its text and its mutants. */
export interface Report {
  files: Record<string, { source: string; mutants: ReportMutant[] }>;
}

/**
 * An equivalent mutant, matched by file, mutator, the original line's text and the replacement
 * (whitespace collapsed), so that moving lines does not unlist it. `span`, the mutated source text,
 * tells apart two mutants of one line with the same mutator and replacement (`a || b` -> `false`
 * on either operand).
 */
export interface Equivalent {
  file: string;
  mutator: string;
  line: string;
  replacement: string;
  span?: string;
  reason: string;
}

/** The goal per directory: the lowest score accepted, in percent. */
export const GOALS = [
  { dir: 'src/machine/', minScore: 100 },
  { dir: 'src/services/', minScore: 90 },
] as const;

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** One directory's result. `missed` lists the undetected mutants not listed as equivalent. */
export interface DirVerdict {
  dir: string;
  minScore: number;
  /** Undefined when no file of the directory is in the reports. */
  score: number | undefined;
  detected: number;
  undetected: number;
  equivalent: number;
  missed: string[];
  ok: boolean;
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** The source text a mutant replaces. */
function spanOf(lines: readonly string[], { start, end }: ReportMutant['location']): string {
  if (start.line === end.line) return oneLine((lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1));
  const middle = lines.slice(start.line, end.line - 1);
  const first = (lines[start.line - 1] ?? '').slice(start.column - 1);
  const last = (lines[end.line - 1] ?? '').slice(0, end.column - 1);
  return oneLine([first, ...middle, last].join('\n'));
}

/**
 * Judge `report` against the goals. `stale` lists the equivalents of files in the report that
 * matched no undetected mutant (entries for files not in the report are not judged).
 */
export function judge(report: Report, equivalents: readonly Equivalent[]): { dirs: DirVerdict[]; stale: Equivalent[] } {
  const unused = new Set(equivalents);
  const dirs = GOALS.map(({ dir, minScore }): DirVerdict => {
    let detected = 0;
    let undetected = 0;
    let equivalent = 0;
    const missed: string[] = [];
    const files = Object.entries(report.files).filter(([file]) => file.startsWith(dir));
    for (const [file, { source, mutants }] of files) {
      const lines = source.split('\n');
      for (const mutant of mutants) {
        if (DETECTED.has(mutant.status)) detected++;
        if (!UNDETECTED.has(mutant.status)) continue;
        const line = oneLine(lines[mutant.location.start.line - 1] ?? '');
        const replacement = oneLine(mutant.replacement ?? '');
        const span = spanOf(lines, mutant.location);
        const listed = equivalents.find(
          (e) =>
            e.file === file &&
            e.mutator === mutant.mutatorName &&
            e.line === line &&
            e.replacement === replacement &&
            (e.span === undefined || e.span === span),
        );
        if (listed) {
          equivalent++;
          unused.delete(listed);
          continue;
        }
        undetected++;
        missed.push(
          `${file}:${mutant.location.start.line} ${mutant.status} ${mutant.mutatorName}: ${span} -> ${replacement}`,
        );
      }
    }
    const score =
      files.length === 0 ? undefined : detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
    const ok = score === undefined || score >= minScore;
    return { dir, minScore, score, detected, undetected, equivalent, missed, ok };
  });
  return { dirs, stale: [...unused].filter((e) => e.file in report.files) };
}
