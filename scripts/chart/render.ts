/**
 * DOT to SVG with Graphviz compiled to WebAssembly (`@viz-js/viz`), so `npm run chart` needs no
 * system package and renders the same bytes on every machine: the version is pinned in
 * package.json, and Graphviz's SVG carries no timestamps or paths.
 */
import { instance } from '@viz-js/viz';

let viz: ReturnType<typeof instance> | undefined;

/** The SVG Graphviz draws for `dot`; throws with Graphviz's messages when the DOT is invalid. */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  const result = (await viz).render(dot, { format: 'svg' });
  if (result.status !== 'success') {
    throw new Error(`graphviz: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  return result.output;
}
