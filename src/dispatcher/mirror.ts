/**
 * The live status mirror: the last value of every node property, program and variable seen on
 * the stream, readable synchronously.
 *
 * Reconnects use mark and sweep: `mark()` when a new socket starts replaying remembers every node
 * entry; each entry the replay writes is confirmed (overwritten in place, so readers never see an
 * empty mirror); `sweep()` when the replay ends removes what was not confirmed. Programs and
 * variables are not swept: the controller's replay carries only some of them (the eisy capture
 * replays one program of several), so absence from a replay says nothing.
 */
import type { ProgramStatus, VariableChange, VariableType } from './types';

/** Last known state of one node property (or command). */
export interface PropertyState {
  /** The raw action string, exactly as sent (`"255"`, `"0"`); not converted, so no precision is lost. */
  readonly value: string;
  /**
   * Unit of measure id: as sent with this value, or, when this update carried none (or `uom=""`),
   * the last one sent for this property (the replay carries it, live updates may not).
   */
  readonly uom?: string;
  /** Precision: as sent with this value, or kept from an earlier update like `uom`. */
  readonly prec?: number;
  /** Display value (`fmtAct`) of this value, when sent (never kept: it describes the value). */
  readonly formatted?: string;
  /** Display name of the property (`fmtName`): as sent, or kept from an earlier update like `uom`. */
  readonly name?: string;
  /** When this process received the value: epoch milliseconds (`Date.now()`), not the controller's timestamp. */
  readonly updatedAt: number;
}

/** Last known status of a program, with the receive time (epoch ms). */
export interface ProgramState extends Readonly<ProgramStatus> {
  /** Epoch milliseconds when it was received. */
  readonly updatedAt: number;
}

/** Last known value and init value of a variable, with the receive time (epoch ms). */
export interface VariableState {
  /** 1 integer, 2 state. */
  readonly type: VariableType;
  /** Variable id within its type. */
  readonly id: number;
  /** Last `<val>` seen. */
  readonly value?: number;
  /** Last `<init>` seen. */
  readonly init?: number;
  /** Last `<prec>` seen. */
  readonly prec?: number;
  /** Last `<ts>` seen. */
  readonly ts?: string;
  /** Epoch milliseconds when it was last updated. */
  readonly updatedAt: number;
}

/** Read-only view of the mirror handed to applications. */
export interface StatusMirrorView {
  /** Node address → control (`ST`, `OL`, `DON`, ...) → last state. */
  readonly nodes: ReadonlyMap<string, ReadonlyMap<string, PropertyState>>;
  /** Program id (upper-case hex as sent) → last status. */
  readonly programs: ReadonlyMap<string, ProgramState>;
  /** `"<type>:<id>"` (e.g. `"2:12"`) → last value. */
  readonly variables: ReadonlyMap<string, VariableState>;
}

/** Key of `variables`: `"<type>:<id>"`. */
export function variableKey(type: VariableType, id: number): string {
  return `${type}:${id}`;
}

/**
 * The state to store for an update: an update without a unit, precision or name (absent, or sent
 * empty as `uom=""`) keeps the ones known for the property, so a live `<action>2</action>` after a
 * replayed `<action uom="67" prec="0">1</action>` still reads 67.
 */
function withKnownUnit(state: PropertyState, previous: PropertyState | undefined): PropertyState {
  const uom = state.uom === undefined || state.uom === '' ? previous?.uom : state.uom;
  const prec = state.prec ?? previous?.prec;
  const name = state.name ?? previous?.name;
  if (uom === state.uom && prec === state.prec && name === state.name) return state;
  return { value: state.value, uom, prec, formatted: state.formatted, name, updatedAt: state.updatedAt };
}

/** The mutable mirror owned by the dispatcher. */
export class StatusMirror implements StatusMirrorView {
  readonly nodes = new Map<string, Map<string, PropertyState>>();
  readonly programs = new Map<string, ProgramState>();
  readonly variables = new Map<string, VariableState>();
  /** Entries not yet confirmed by the running replay; `null` outside a replay. */
  private unconfirmed: Map<string, Set<string>> | null = null;

  /** Stores a property value; returns the previous state. */
  setProperty(node: string, control: string, state: PropertyState): PropertyState | undefined {
    let controls = this.nodes.get(node);
    if (controls === undefined) {
      controls = new Map();
      this.nodes.set(node, controls);
    }
    const previous = controls.get(control);
    controls.set(control, withKnownUnit(state, previous));
    if (this.unconfirmed !== null) this.confirm(node, control);
    return previous;
  }

  /** The stored state of one property, or `undefined`. */
  property(node: string, control: string): PropertyState | undefined {
    return this.nodes.get(node)?.get(control);
  }

  private confirm(node: string, control: string): void {
    const pending = this.unconfirmed?.get(node);
    if (pending !== undefined && pending.delete(control) && pending.size === 0) this.unconfirmed?.delete(node);
  }

  /** Forgets a node (it was removed from the controller). */
  removeNode(node: string): void {
    this.nodes.delete(node);
    this.unconfirmed?.delete(node);
  }

  /** Stores a program status. */
  setProgram(status: ProgramStatus, updatedAt: number): void {
    // Spelled out rather than spread (`{ ...status, updatedAt }`, same keys in the same order): the spread was the slow part.
    this.programs.set(status.id, {
      id: status.id,
      statusCode: status.statusCode,
      runState: status.runState,
      evaluation: status.evaluation,
      enabled: status.enabled,
      runAtReboot: status.runAtReboot,
      lastRun: status.lastRun,
      lastFinish: status.lastFinish,
      updatedAt,
    });
  }

  /** Merges a variable value or init value into its entry. */
  setVariable(change: VariableChange, updatedAt: number): void {
    const key = variableKey(change.type, change.id);
    const before = this.variables.get(key);
    this.variables.set(key, {
      type: change.type,
      id: change.id,
      value: change.kind === 'value' ? change.value : before?.value,
      init: change.kind === 'init' ? change.init : before?.init,
      prec: change.prec ?? before?.prec,
      ts: change.kind === 'value' ? (change.ts ?? before?.ts) : before?.ts,
      updatedAt,
    });
  }

  /** A replay starts: every node entry now needs confirming. Calling it again restarts the marking. */
  mark(): void {
    const unconfirmed = new Map<string, Set<string>>();
    for (const [node, controls] of this.nodes) unconfirmed.set(node, new Set(controls.keys()));
    this.unconfirmed = unconfirmed;
  }

  /** The replay ended: removes node entries it did not confirm. Returns how many were removed. No-op without `mark()`. */
  sweep(): number {
    const unconfirmed = this.unconfirmed;
    this.unconfirmed = null;
    if (unconfirmed === null) return 0;
    let removed = 0;
    for (const [node, controls] of unconfirmed) {
      const entries = this.nodes.get(node);
      if (entries === undefined) continue;
      for (const control of controls) if (entries.delete(control)) removed++;
      if (entries.size === 0) this.nodes.delete(node);
    }
    return removed;
  }

  /** True between `mark()` and `sweep()`. */
  get marking(): boolean {
    return this.unconfirmed !== null;
  }
}
