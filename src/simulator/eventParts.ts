/**
 * The house's state rendered as event parts (`wire.ts` turns parts into frames): one property, a
 * program's `_1`/`0`, a variable's `_1`/`6` or `_1`/`7`. Used by the replay and by live changes.
 */
import type { SimProgram, SimProperty, SimVariable } from './house';
import { formatProgramTime, formatVariableTime, type EventParts } from './wire';

/** One property as a node event (`<control>`, `<action>` with `uom`/`prec`, `<fmtAct>`, `<fmtName>`). */
export function propertyParts(address: string, control: string, p: SimProperty): EventParts {
  return {
    control,
    action: p.value,
    uom: p.uom,
    prec: p.uom === undefined ? undefined : p.prec,
    node: address,
    fmtAct: p.formatted,
    fmtName: p.formatted === undefined ? undefined : p.name,
  };
}

/** A program's `_1`/`0` event: flags, last run and finish (controller local time), status byte. */
export function programParts(p: SimProgram, offsetMinutes: number): EventParts {
  const info =
    `<id>${p.id}</id>${p.enabled ? '<on />' : '<off />'}${p.runAtReboot ? '<rr />' : '<nr />'}` +
    `<r>${formatProgramTime(p.lastRun, offsetMinutes)}</r><f>${formatProgramTime(p.lastFinish, offsetMinutes)}</f>` +
    `<s>${p.status.toString(16).toUpperCase()}</s>`;
  return { control: '_1', action: '0', node: '', eventInfo: info };
}

/** `_1`/`6` (value) or `_1`/`7` (init value) for one variable. */
export function variableParts(v: SimVariable, action: '6' | '7', offsetMinutes: number): EventParts {
  const info =
    action === '6'
      ? `<var type="${v.type}" id="${v.id}"><prec>${v.prec}</prec><val>${v.value}</val><ts>${formatVariableTime(v.changedAt, offsetMinutes)}</ts></var>`
      : `<var type="${v.type}" id="${v.id}"><init>${v.init}</init><prec>${v.prec}</prec></var>`;
  return { control: '_1', action, node: '', eventInfo: info };
}
