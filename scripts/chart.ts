/**
 * `npm run chart`: regenerate docs/statechart.md (Mermaid), docs/machine.json (Stately) and
 * docs/statechart.dot from `streamMachine`, then render docs/statechart.svg with Graphviz when
 * `dot` is installed (a dev-time step: CI only checks that the text files are fresh).
 *
 * `npm run chart -- --check` writes nothing and exits 1 when a committed file is stale.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chartFiles } from './chartSource';

const repo = resolve(__dirname, '..');
const check = process.argv.includes('--check');
let stale = 0;

const readme = readFileSync(resolve(repo, 'README.md'), 'utf8');
for (const [path, content] of Object.entries(chartFiles(readme))) {
  const file = resolve(repo, path);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === content) {
    console.log(`up to date  ${path}`);
    continue;
  }
  if (check) {
    console.log(`stale       ${path}`);
    stale++;
    continue;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`wrote       ${path}`);
}

if (check) {
  process.exitCode = stale > 0 ? 1 : 0;
} else {
  try {
    execFileSync('dot', ['-Tsvg', resolve(repo, 'docs/statechart.dot'), '-o', resolve(repo, 'docs/statechart.svg')], {
      stdio: 'inherit',
    });
    console.log('rendered    docs/statechart.svg');
  } catch {
    console.log(
      'skipped     docs/statechart.svg (Graphviz `dot` not found: apt-get install graphviz / brew install graphviz)',
    );
  }
}
