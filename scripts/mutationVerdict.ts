/**
 * The verdict on Stryker runs (issue 17), read from their JSON reports: see scripts/mutation/judge.ts.
 *
 * Usage: node --import tsx scripts/mutationVerdict.ts [report.json...]   (exit 1 when a goal is missed)
 * Default: the two runs' reports, reports/mutation/machine.json and services.json. The committed
 * incremental files (mutation/*.incremental.json) have the same shape and can be judged as well.
 */
import { existsSync, readFileSync } from 'node:fs';
import { judge, type Equivalent, type Report } from './mutation/judge';

const REPORTS = ['reports/mutation/machine.json', 'reports/mutation/services.json'];

function main(): number {
  const reportPaths = process.argv.length > 2 ? process.argv.slice(2) : REPORTS;
  const report: Report = { files: {} };
  for (const path of reportPaths) {
    if (!existsSync(path)) {
      console.log(
        `${path}: no such report. Run npm run mutate first (over half an hour), or judge the committed results: ` +
          'npm run mutate:verdict -- mutation/machine.incremental.json mutation/services.incremental.json',
      );
      return 1;
    }
    Object.assign(report.files, (JSON.parse(readFileSync(path, 'utf8')) as Report).files);
  }
  const equivalents = JSON.parse(readFileSync('mutation/equivalents.json', 'utf8')) as Equivalent[];
  const { dirs, stale } = judge(report, equivalents);
  for (const d of dirs) {
    if (d.score === undefined) {
      console.log(`${d.dir}: not in the reports read (${reportPaths.join(', ')})`);
      continue;
    }
    console.log(
      `${d.dir}: ${d.score.toFixed(1)}% (${d.detected} detected, ${d.undetected} undetected, ${d.equivalent} listed equivalent; goal ${d.minScore}%) ${d.ok ? 'ok' : 'MISSED'}`,
    );
    if (!d.ok) console.log(d.missed.map((m) => `  ${m}`).join('\n'));
  }
  // A listed mutant that was detected this time is reported, not failed: a timed-out run counts as
  // detected, so one borderline mutant can go either way between runs on a loaded machine.
  for (const e of stale) {
    console.log(
      `listed equivalent not surviving this run (remove it if it never does): ${e.file} ${e.mutator}: ${e.line}`,
    );
  }
  return dirs.every((d) => d.ok) ? 0 : 1;
}

process.exitCode = main();
