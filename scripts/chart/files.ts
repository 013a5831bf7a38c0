/** What `npm run chart` writes: the docs/ files and the README's embedded diagram. */
import { describeMachine, type ChartState } from './describe';
import { toDot } from './dot';
import { machineJson } from './machineJson';
import { statechartMarkdown, toMermaid } from './mermaid';
import { toOverviewDot } from './overview';
import { renderSvg } from './render';

const README_BEGIN = '<!-- statechart:begin -->';
const README_END = '<!-- statechart:end -->';

/**
 * The README with its embedded diagram (between the `statechart:begin/end` markers) replaced by
 * the generated one, so the diagram readers see first can never go stale either.
 */
export function readmeWithChart(readme: string, root: ChartState = describeMachine()): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${README_BEGIN} … ${README_END} block`);
  // Blank lines around the fence: the layout Prettier keeps, so `npm run chart` and `prettier --check` agree.
  const block = `${README_BEGIN}\n\n\`\`\`mermaid\n${toMermaid(root).trimEnd()}\n\`\`\`\n\n`;
  return readme.slice(0, begin) + block + readme.slice(end);
}

/**
 * Every generated file, by path relative to the repository root (each SVG rendered from its DOT).
 * `readme` is the current README.md, whose embedded diagram is regenerated in place.
 */
export async function chartFiles(readme?: string): Promise<Record<string, string>> {
  const root = describeMachine();
  const dot = toDot(root);
  const overview = toOverviewDot(root);
  return {
    'docs/statechart.md': statechartMarkdown(root),
    'docs/machine.json': machineJson(root),
    'docs/statechart.dot': dot,
    'docs/statechart.svg': await renderSvg(dot),
    'docs/overview.dot': overview,
    'docs/overview.svg': await renderSvg(overview),
    ...(readme === undefined ? {} : { 'README.md': readmeWithChart(readme, root) }),
  };
}
