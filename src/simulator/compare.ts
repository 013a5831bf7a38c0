import { isPropertyControl, type PropertyValue } from './house';

/** The part of a client's mirror entry the simulator's truth can vouch for. */
export interface MirrorEntryLike {
  /** The raw value. */
  value: string;
  /** Unit of measure code. */
  uom?: string;
  /** Decimal places. */
  prec?: number;
  /** The controller's display text. */
  formatted?: string;
}

/** A client's node mirror (`stream.mirror.nodes`). */
export type NodeMirrorLike = ReadonlyMap<string, ReadonlyMap<string, MirrorEntryLike>>;

/** How a mirror differs from the simulator's truth. */
export interface MirrorComparison {
  /** Properties that differ, are missing, or are in the mirror but not in the truth. */
  mismatches: number;
  /** Up to `sampleLimit` readable descriptions of them. */
  samples: string[];
}

/**
 * Compare a client's node mirror with `simulator.truth()`: same nodes, same properties, same
 * value, unit, precision and display text. Commands (DON, DOF, ...) are events, not status, so a
 * mirror may hold them without a mismatch.
 */
export function compareWithTruth(
  mirror: NodeMirrorLike,
  truth: ReadonlyMap<string, ReadonlyMap<string, PropertyValue>>,
  sampleLimit = 5,
): MirrorComparison {
  const result: MirrorComparison = { mismatches: 0, samples: [] };
  const note = (text: string) => {
    result.mismatches++;
    if (result.samples.length < sampleLimit) result.samples.push(text);
  };
  for (const [address, props] of truth) {
    for (const [control, want] of props) {
      const got = mirror.get(address)?.get(control);
      const same =
        got !== undefined &&
        got.value === want.value &&
        got.uom === want.uom &&
        (got.prec === undefined ? undefined : String(got.prec)) === want.prec &&
        got.formatted === want.formatted;
      if (!same)
        note(
          `${address} ${control}: mirror ${JSON.stringify(got?.value ?? null)}, truth ${JSON.stringify(want.value)}`,
        );
    }
  }
  for (const [address, props] of mirror) {
    for (const control of props.keys()) {
      if (isPropertyControl(control, address) && !truth.get(address)?.has(control))
        note(`${address} ${control}: in the mirror, not in the truth`);
    }
  }
  return result;
}
