/**
 * Live changes of the simulated house: which property, program or variable changes next, and how.
 */
import { nextValue, type ValueModel } from './formats';
import type { House, SimNode, SimProgram, SimProperty, SimVariable } from './house';
import type { Prng } from './prng';

/** A live change picked at random: which property and its new raw value. */
export type LiveChange =
  | { type: 'property'; address: string; control: string; raw: number }
  | { type: 'program'; id: string }
  | { type: 'variable'; key: string; value: number };

/** Pick a random live change (mostly node properties, sometimes a program or a variable). */
export function pickLiveChange(house: House, prng: Prng): LiveChange | undefined {
  const roll = prng.next();
  if (roll < 0.08 && house.programs.size > 0) return { type: 'program', id: prng.pick([...house.programs.keys()]) };
  if (roll < 0.14 && house.variables.size > 0) {
    const key = prng.pick([...house.variables.keys()]);
    const v = house.variables.get(key) as SimVariable;
    return { type: 'variable', key, value: v.type === 2 ? 1 - Math.min(1, v.value) : v.value + prng.int(1, 5) };
  }
  const candidates: Array<[SimNode, string, SimProperty]> = [];
  for (const node of house.nodes.values()) {
    for (const [control, p] of node.properties) {
      // ERR and ramp rates change rarely in a real house: keep live traffic on the interesting bits.
      if (p.model && p.model.kind !== 'error' && p.model.kind !== 'rampRate' && control !== 'OL')
        candidates.push([node, control, p]);
    }
  }
  if (candidates.length === 0) return undefined;
  const [node, control, p] = prng.pick(candidates);
  return {
    type: 'property',
    address: node.address,
    control,
    raw: nextValue(p.model as ValueModel, prng, Number(p.value)),
  };
}

/** A program run: the status moves to a new evaluation, last run / finish times to `now`. */
export function touchProgram(p: SimProgram, prng: Prng, now: Date): void {
  p.status = prng.pick([0x21, 0x31, 0x22, 0x33].filter((s) => s !== p.status));
  p.lastRun = now;
  p.lastFinish = now;
  p.changedAt = now;
}
