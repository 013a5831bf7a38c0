import type { Prng } from './prng';

/**
 * How one property's raw value is produced and displayed. The controller sends the raw value as the
 * `<action>` text and a display string as `<fmtAct>`; a model lets the simulator invent plausible new
 * values for live events and render the display string the way the eisy does (`40%`, `0.5 seconds`,
 * `70.5°F`).
 */
export type ValueModel =
  /** Insteon level, uom 100: 0..255, shown as `Off` or a percentage (255 = `100%`). */
  | {
      /** `level` */
      kind: 'level';
    }
  /** On/off load or button, uom 100: 0 or 255, shown as `Off` / `On`. */
  | {
      /** `onoff` */
      kind: 'onoff';
    }
  /** Insteon ramp rate, uom 25: an index into the ramp table, shown in seconds. */
  | {
      /** `rampRate` */
      kind: 'rampRate';
    }
  /** A closed set of raw values with their display strings (fan speed, thermostat mode, lock). */
  | {
      /** `enum` */
      kind: 'enum';
      /** Each raw value with its display string. */
      values: ReadonlyArray<readonly [raw: number, text: string]>;
    }
  /** A number with `prec` implied decimals and a unit suffix (temperature, humidity, battery). */
  | {
      /** `number` */
      kind: 'number';
      /** Smallest raw value. */
      min: number;
      /** Largest raw value. */
      max: number;
      /** Implied decimals: raw 705 with prec 1 is 70.5. */
      prec: number;
      /** Suffix of the display string (`°F`, `%`). */
      unit: string;
      /** How far one live event moves the raw value up or down; default 1. */
      step?: number;
    }
  /** `ERR`: 0 or 1, no uom, no display string (exactly like the real frames). */
  | {
      /** `error` */
      kind: 'error';
    };

/**
 * Insteon ramp-rate table (index → seconds), the fast end only: the slow end (minutes) is never
 * used by the house generator and its display format on the eisy is unconfirmed.
 */
const RAMP_SECONDS: ReadonlyMap<number, number> = new Map([
  [24, 8.5],
  [25, 6.5],
  [26, 4.5],
  [27, 2],
  [28, 0.5],
  [29, 0.3],
  [30, 0.2],
  [31, 0.1],
]);

/** Display string for a raw value, or `undefined` when the controller sends none (ERR). */
export function formatValue(model: ValueModel, raw: number): string | undefined {
  switch (model.kind) {
    case 'level':
      return raw === 0 ? 'Off' : `${Math.round((raw * 100) / 255)}%`;
    case 'onoff':
      return raw === 0 ? 'Off' : 'On';
    case 'rampRate': {
      const seconds = RAMP_SECONDS.get(raw);
      return seconds === undefined ? `${raw}` : `${seconds} seconds`;
    }
    case 'enum':
      return model.values.find(([value]) => value === raw)?.[1] ?? `${raw}`;
    case 'number':
      return `${(raw / 10 ** model.prec).toFixed(model.prec)}${model.unit}`;
    case 'error':
      return undefined;
  }
}

/** A plausible new raw value, different from `current` where the model allows it. */
export function nextValue(model: ValueModel, prng: Prng, current: number): number {
  switch (model.kind) {
    case 'level':
      // Real dimmers mostly sit at off, full or a handful of favourite levels.
      return current === 0
        ? prng.pick([255, 255, 204, 153, 102, 64])
        : prng.chance(0.6)
          ? 0
          : prng.pick([255, 179, 128, 77]);
    case 'onoff':
    case 'error':
      return current === 0 ? (model.kind === 'onoff' ? 255 : 1) : 0;
    case 'rampRate':
      return prng.pick([...RAMP_SECONDS.keys()].filter((k) => k !== current));
    case 'enum': {
      const others = model.values.filter(([value]) => value !== current);
      return others.length === 0 ? current : prng.pick(others)[0];
    }
    case 'number': {
      const step = model.step ?? 1;
      const moved = current + (prng.chance(0.5) ? step : -step);
      return Math.min(model.max, Math.max(model.min, moved));
    }
  }
}

/** An initial raw value for a freshly generated property. */
export function initialValue(model: ValueModel, prng: Prng): number {
  switch (model.kind) {
    case 'level':
      return prng.pick([0, 0, 0, 255, 153, 102, 204]);
    case 'onoff':
      return prng.chance(0.3) ? 255 : 0;
    case 'rampRate':
      return prng.pick([28, 28, 28, 27, 26, 25]);
    case 'enum':
      return prng.pick(model.values)[0];
    case 'number':
      return prng.int(model.min, model.max);
    case 'error':
      return prng.chance(0.05) ? 1 : 0;
  }
}

/**
 * Guess a model for a property seen in a capture (replay mode), so live events can also be generated
 * for a replayed house. Only the shapes the eisy sends for Insteon loads are recognised.
 */
export function inferModel(
  control: string,
  uom: string | undefined,
  formatted: string | undefined,
): ValueModel | undefined {
  if (control === 'ERR' && uom === undefined) return { kind: 'error' };
  if (uom === '25' && control === 'RR') return { kind: 'rampRate' };
  if (uom === '100' && (control === 'ST' || control === 'OL')) {
    // `On` only ever appears for on/off devices; dimmers show `100%`.
    return formatted === 'On' ? { kind: 'onoff' } : { kind: 'level' };
  }
  return undefined;
}
