/**
 * `npm run chart`: regenerate docs/statechart.md (Mermaid), docs/machine.json (Stately),
 * docs/statechart.dot and .svg (every state node) and docs/overview.dot and .svg (the eight
 * statuses), and the diagram embedded in README.md, all from `streamMachine`. The SVGs come from
 * Graphviz compiled to WebAssembly (`@viz-js/viz`): nothing to install beyond `npm ci`.
 *
 * `npm run chart -- --check` writes nothing and exits 1 when a committed file is stale.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chartFiles } from './chart/index';

const repo = resolve(__dirname, '..');
const check = process.argv.includes('--check');

async function main(): Promise<void> {
  let stale = 0;
  const readme = readFileSync(resolve(repo, 'README.md'), 'utf8');
  for (const [path, content] of Object.entries(await chartFiles(readme))) {
    const file = resolve(repo, path);
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) {
      console.log(`up to date  ${path}`);
    } else if (check) {
      console.log(`stale       ${path}`);
      stale++;
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      console.log(`wrote       ${path}`);
    }
  }
  process.exitCode = check && stale > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
