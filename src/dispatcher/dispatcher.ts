/**
 * `EventDispatcher`: raw frames in, typed deliveries out, with a live status mirror.
 *
 * For every frame, in this order: parse (never throws; drops are counted by reason), sequence
 * check, mirror update (so listeners already read the new state), then delivery: `onGap`,
 * `onEvent`, then the one typed channel the event belongs to. Structured payloads are decoded only
 * when the mirror or a subscribed listener needs them. A listener that throws is logged and
 * counted; the other listeners and the feed carry on.
 */
import { defaultLogger, safeLogger, type Logger } from '../logger';
import {
  decodeHeartbeat,
  decodeLifecycle,
  decodeProgramStatus,
  decodeSystemStatus,
  decodeVariable,
  decodeVariableTableChange,
} from './decoders';
import { Dropped } from './envelope';
import { Channel, PropertyChannel, type Listener, type PropertyFilter } from './listeners';
import { StatusMirror, type StatusMirrorView } from './mirror';
import { readFrame } from './parse';
import { SequenceTracker } from './sequence';
import { newDispatcherStats, type DispatcherStats } from './stats';
import type {
  DeliveryInfo,
  Heartbeat,
  IoxEvent,
  NodeLifecycle,
  ProgramStatus,
  PropertyChange,
  SequenceGap,
  SystemStatus,
  VariableChange,
  VariableTableChange,
} from './types';

export type { Listener, PropertyFilter } from './listeners';
export type { DispatcherStats } from './stats';

/** Options for `new EventDispatcher()`. */
export interface EventDispatcherOptions {
  /** Where listener errors (warn/error) and dropped-frame notes (debug) go. Defaults to warnings and errors on the console. */
  logger?: Logger;
}

/** Turns raw frames into typed deliveries and keeps the status mirror. */
export class EventDispatcher {
  /** The live status mirror (read-only view); updated before listeners run. */
  readonly mirror: StatusMirrorView;
  /** Counters; read any time. */
  readonly stats: DispatcherStats = newDispatcherStats();

  private readonly store = new StatusMirror();
  private readonly sequence = new SequenceTracker();
  private readonly logger: Logger;
  /** When the last event was parsed (epoch ms, the same clock read as its mirror `updatedAt`), or null. */
  lastEventAt: number | null = null;

  private readonly fault = (channel: string, error: unknown): void => {
    this.stats.listenerErrors++;
    this.logger.error(`an ${channel} listener threw`, error); // a safe logger: never throws
  };
  private readonly events = new Channel<IoxEvent>('event', this.fault);
  private readonly properties = new PropertyChannel(this.fault);
  private readonly programs = new Channel<ProgramStatus>('programStatus', this.fault);
  private readonly variables = new Channel<VariableChange>('variable', this.fault);
  private readonly tables = new Channel<VariableTableChange>('variableTableChange', this.fault);
  private readonly lifecycles = new Channel<NodeLifecycle>('lifecycle', this.fault);
  private readonly systemStatuses = new Channel<SystemStatus>('systemStatus', this.fault);
  private readonly heartbeats = new Channel<Heartbeat>('heartbeat', this.fault);
  private readonly gaps = new Channel<SequenceGap>('gap', this.fault);

  /** Creates a dispatcher. It works on plain `feed` calls; `beginReplay`/`endReplay` are optional. */
  constructor(options: EventDispatcherOptions = {}) {
    this.logger = safeLogger(options.logger ?? defaultLogger);
    this.mirror = this.store;
  }

  /**
   * A new socket opened and its connect-time replay (SYNCING) begins: mark the node mirror so
   * entries the replay does not confirm can be swept, and restart sequence tracking.
   */
  beginReplay(): void {
    this.store.mark();
    this.sequence.reset();
  }

  /** The replay ended (CONNECTED): remove node mirror entries the replay did not confirm. */
  endReplay(): void {
    this.stats.swept += this.store.sweep();
  }

  /**
   * Parses and dispatches one raw frame (raw XML or JSON envelope). Returns the event, or `null`
   * when the frame was dropped (counted in `stats.dropped`). Never throws. `replay` is the flag
   * listeners see, or a function that decides it from the parsed event (the stream's clock rule);
   * the function's `null` means "deliver nothing" (the stream stopped while it decided).
   */
  feed(raw: string, info?: { replay?: boolean | ((event: IoxEvent) => boolean | null) }): IoxEvent | null {
    const stats = this.stats;
    stats.framesFed++;
    const event = readFrame(raw, stats);
    if (event instanceof Dropped) {
      stats.dropped[event.drop] = (stats.dropped[event.drop] ?? 0) + 1;
      this.logger.debug(`dropped frame: ${event.drop}`);
      return null;
    }
    stats.eventsParsed++;
    // One clock read per event: the mirror's `updatedAt` and `lastEventAt`.
    const now = Date.now();
    this.lastEventAt = now;
    try {
      const replay = typeof info?.replay === 'function' ? info.replay(event) : info?.replay === true;
      if (replay !== null) this.route(event, { replay, event }, now);
    } catch (error) {
      // Listener errors are caught per call; this guards the routing itself.
      this.logger.error('dispatcher failed to route an event', error);
    }
    return event;
  }

  private route(event: IoxEvent, info: DeliveryInfo, now: number): void {
    const gap = this.sequence.check(event);
    if (gap !== null) this.stats.gaps++;

    if (event.isProperty) {
      const previous = this.store.setProperty(event.node, event.control, {
        value: event.action,
        uom: event.uom,
        prec: event.prec,
        formatted: event.formattedAction,
        name: event.formattedName,
        updatedAt: now,
      });
      if (gap !== null) this.gaps.emit(gap, info);
      this.events.emit(event, info);
      if (this.properties.active) {
        const stored = this.store.property(event.node, event.control);
        this.properties.emit(event, stored, previous?.value, info);
      }
      return;
    }

    if (gap !== null) this.gaps.emit(gap, info);
    // Structured decoding happens before any delivery so the mirror is current for every listener.
    let deliver: (() => void) | undefined;
    if (event.isSystem) deliver = this.decodeSystem(event, info, now);
    this.events.emit(event, info);
    deliver?.();
  }

  /** Updates the mirror from a system event and returns the typed delivery to run after `onEvent`. */
  private decodeSystem(event: IoxEvent, info: DeliveryInfo, now: number): (() => void) | undefined {
    switch (event.control) {
      case '_0':
        return this.lazy(this.heartbeats, decodeHeartbeat, event, info);
      case '_5':
        return this.lazy(this.systemStatuses, decodeSystemStatus, event, info);
      case '_3':
        if (event.action === 'NR' && event.node !== '') this.store.removeNode(event.node);
        return this.lazy(this.lifecycles, decodeLifecycle, event, info);
      case '_1':
        switch (event.action) {
          case '0': {
            const status = this.decodeCounted(decodeProgramStatus, event);
            if (status === null) return undefined;
            this.store.setProgram(status, now);
            return () => this.programs.emit(status, info);
          }
          case '6':
          case '7': {
            const change = this.decodeCounted(decodeVariable, event);
            if (change === null) return undefined;
            this.store.setVariable(change, now);
            return () => this.variables.emit(change, info);
          }
          case '9':
            return this.lazy(this.tables, decodeVariableTableChange, event, info);
        }
    }
    return undefined;
  }

  /** Decodes only when someone listens: the payload parse is the expensive part. */
  private lazy<T>(
    channel: Channel<T>,
    decode: (e: IoxEvent) => T | null,
    event: IoxEvent,
    info: DeliveryInfo,
  ): (() => void) | undefined {
    if (!channel.active) return undefined;
    const decoded = this.decodeCounted(decode, event);
    return decoded === null ? undefined : () => channel.emit(decoded, info);
  }

  private decodeCounted<T>(decode: (e: IoxEvent) => T | null, event: IoxEvent): T | null {
    const decoded = decode(event);
    if (decoded === null) this.stats.undecodable++;
    return decoded;
  }

  /** Every parsed event. Returns the unsubscribe function. */
  onEvent(cb: Listener<IoxEvent>): () => void {
    return this.events.add(cb);
  }

  /** Node property updates and node commands, optionally only for one node and/or control. */
  onProperty(cb: Listener<PropertyChange>, filter?: PropertyFilter): () => void {
    return this.properties.add(cb, filter);
  }

  /** Program status changes (`_1`/`0`). */
  onProgramStatus(cb: Listener<ProgramStatus>): () => void {
    return this.programs.add(cb);
  }

  /** Variable value and init value changes (`_1`/`6`, `7`). */
  onVariable(cb: Listener<VariableChange>): () => void {
    return this.variables.add(cb);
  }

  /** Variable definitions changed (`_1`/`9`). */
  onVariableTableChange(cb: Listener<VariableTableChange>): () => void {
    return this.tables.add(cb);
  }

  /** Node lifecycle (`_3`): added, removed, renamed, comm errors, ... */
  onLifecycle(cb: Listener<NodeLifecycle>): () => void {
    return this.lifecycles.add(cb);
  }

  /** Controller busy state (`_5`). */
  onSystemStatus(cb: Listener<SystemStatus>): () => void {
    return this.systemStatuses.add(cb);
  }

  /** Heartbeats (`_0`). */
  onHeartbeat(cb: Listener<Heartbeat>): () => void {
    return this.heartbeats.add(cb);
  }

  /** Sequence gaps or backward steps within one subscription; the consumer may want to refresh. */
  onGap(cb: Listener<SequenceGap>): () => void {
    return this.gaps.add(cb);
  }
}
