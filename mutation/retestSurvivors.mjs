// Drops survived and uncovered mutants from a run's incremental result file, so the next run tests
// them again. Stryker's incremental mode reuses a *static* mutant's "Survived" even when tests were
// added since (it records no per-test coverage for static mutants): the tests written to kill the
// survivors would never be tried. Killed mutants stay reused. Usage: node mutation/retestSurvivors.mjs <part>
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const file = `mutation/${process.argv[2]}.incremental.json`;
if (existsSync(file)) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  let dropped = 0;
  for (const entry of Object.values(report.files)) {
    const kept = entry.mutants.filter((m) => m.status !== 'Survived' && m.status !== 'NoCoverage');
    dropped += entry.mutants.length - kept.length;
    entry.mutants = kept;
  }
  writeFileSync(file, JSON.stringify(report));
  console.log(`${file}: ${dropped} survived or uncovered mutants will be tested again`);
}
