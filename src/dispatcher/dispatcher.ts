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
import { commandLabel } from './codes';
import {
  decodeHeartbeat,
  decodeLifecycle,
  decodeProgramStatus,
  decodeSystemStatus,
  decodeVariable,
  decodeVariableTableChange,
} from './decoders';
import { Dropped, type DropReason } from './envelope';
import { StatusMirror, type StatusMirrorView } from './mirror';
import { readFrame } from './parse';
import { SequenceTracker } from './sequence';
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

/** Options for `new EventDispatcher()`. */
export interface EventDispatcherOptions {
  /** Where listener errors (warn/error) and dropped-frame notes (debug) go. Defaults to warnings and errors on the console. */
  logger?: Logger;
}

/** A subscription callback: the decoded value and the delivery info (`replay`, raw `event`). */
export type Listener<T> = (decoded: T, info: DeliveryInfo) => void;

/** Filter for `onProperty`: only events for this node and/or this control. */
export interface PropertyFilter {
  /** Node address, exact match. */
  node?: string;
  /** Control (`ST`, `OL`, `DON`, ...), exact match. */
  control?: string;
}

/** Counters, updated as frames are fed. */
export interface DispatcherStats {
  /** Every call to `feed`. */
  framesFed: number;
  /** Frames that produced an `IoxEvent`. */
  eventsParsed: number;
  /** Frames that did not, by reason (`not-event`, `malformed`, ...). */
  dropped: Record<string, number>;
  /** Frames that parsed only after stray `&` were escaped. */
  repaired: number;
  /** Frames the fast scanner declined and fast-xml-parser parsed (or rejected). */
  fallbacks: number;
  /** Listener calls that threw. */
  listenerErrors: number;
  /** Sequence discontinuities reported on `onGap`. */
  gaps: number;
  /** Structured system events whose payload did not fit the decoder (delivered on `onEvent` only). */
  undecodable: number;
  /** Node mirror entries removed by the sweep at the end of replays. */
  swept: number;
}

const DROP_REASONS: readonly DropReason[] = [
  'not-string',
  'empty',
  'bad-envelope',
  'not-event',
  'not-event-root',
  'no-control',
  'malformed',
];

/** Listener arrays of the typed channels, replaced (never mutated) on (un)subscribe. */
interface Channels {
  programListeners: Listener<ProgramStatus>[];
  variableListeners: Listener<VariableChange>[];
  tableListeners: Listener<VariableTableChange>[];
  lifecycleListeners: Listener<NodeLifecycle>[];
  systemStatusListeners: Listener<SystemStatus>[];
  heartbeatListeners: Listener<Heartbeat>[];
  gapListeners: Listener<SequenceGap>[];
}
type ChannelKey = keyof Channels;

type PropertySubscription = { cb: Listener<PropertyChange>; node?: string; control?: string };

/** Turns raw frames into typed deliveries and keeps the status mirror. */
export class EventDispatcher {
  /** The live status mirror (read-only view); updated before listeners run. */
  readonly mirror: StatusMirrorView;
  /** Counters; read any time. */
  readonly stats: DispatcherStats;

  private readonly store = new StatusMirror();
  private readonly sequence = new SequenceTracker();
  private readonly logger: Logger;
  /** When the last event was parsed (epoch ms, the same clock read as its mirror `updatedAt`), or null. */
  lastEventAt: number | null = null;

  // Copy-on-write listener arrays: (un)subscribing during a delivery never disturbs it.
  private eventListeners: Listener<IoxEvent>[] = [];
  private propertyListeners: PropertySubscription[] = [];
  private readonly channels: Channels = {
    programListeners: [],
    variableListeners: [],
    tableListeners: [],
    lifecycleListeners: [],
    systemStatusListeners: [],
    heartbeatListeners: [],
    gapListeners: [],
  };

  /** Creates a dispatcher. It works on plain `feed` calls; `beginReplay`/`endReplay` are optional. */
  constructor(options: EventDispatcherOptions = {}) {
    this.logger = safeLogger(options.logger ?? defaultLogger);
    this.mirror = this.store;
    const dropped: Record<string, number> = {};
    for (const reason of DROP_REASONS) dropped[reason] = 0;
    this.stats = {
      framesFed: 0,
      eventsParsed: 0,
      dropped,
      repaired: 0,
      fallbacks: 0,
      listenerErrors: 0,
      gaps: 0,
      undecodable: 0,
      swept: 0,
    };
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
   * when the frame was dropped (counted in `stats.dropped`). Never throws.
   */
  feed(raw: string, info?: { replay?: boolean }): IoxEvent | null {
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
      this.route(event, { replay: info?.replay === true, event }, now);
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
      if (gap !== null) this.emit(this.channels.gapListeners, gap, info, 'gap');
      this.emit(this.eventListeners, event, info, 'event');
      if (this.propertyListeners.length > 0) this.emitProperty(event, previous?.value, info);
      return;
    }

    if (gap !== null) this.emit(this.channels.gapListeners, gap, info, 'gap');
    // Structured decoding happens before any delivery so the mirror is current for every listener.
    let deliver: (() => void) | undefined;
    if (event.isSystem) deliver = this.decodeSystem(event, info, now);
    this.emit(this.eventListeners, event, info, 'event');
    deliver?.();
  }

  /** Updates the mirror from a system event and returns the typed delivery to run after `onEvent`. */
  private decodeSystem(event: IoxEvent, info: DeliveryInfo, now: number): (() => void) | undefined {
    switch (event.control) {
      case '_0':
        return this.lazy(this.channels.heartbeatListeners, decodeHeartbeat, event, info, 'heartbeat');
      case '_5':
        return this.lazy(this.channels.systemStatusListeners, decodeSystemStatus, event, info, 'systemStatus');
      case '_3':
        if (event.action === 'NR' && event.node !== '') this.store.removeNode(event.node);
        return this.lazy(this.channels.lifecycleListeners, decodeLifecycle, event, info, 'lifecycle');
      case '_1':
        switch (event.action) {
          case '0': {
            const status = this.decodeCounted(decodeProgramStatus, event);
            if (status === null) return undefined;
            this.store.setProgram(status, now);
            return () => this.emit(this.channels.programListeners, status, info, 'programStatus');
          }
          case '6':
          case '7': {
            const change = this.decodeCounted(decodeVariable, event);
            if (change === null) return undefined;
            this.store.setVariable(change, now);
            return () => this.emit(this.channels.variableListeners, change, info, 'variable');
          }
          case '9':
            return this.lazy(
              this.channels.tableListeners,
              decodeVariableTableChange,
              event,
              info,
              'variableTableChange',
            );
        }
    }
    return undefined;
  }

  /** Decodes only when someone listens: the payload parse is the expensive part. */
  private lazy<T>(
    listeners: Listener<T>[],
    decode: (e: IoxEvent) => T | null,
    event: IoxEvent,
    info: DeliveryInfo,
    channel: string,
  ): (() => void) | undefined {
    if (listeners.length === 0) return undefined;
    const decoded = this.decodeCounted(decode, event);
    return decoded === null ? undefined : () => this.emit(listeners, decoded, info, channel);
  }

  private decodeCounted<T>(decode: (e: IoxEvent) => T | null, event: IoxEvent): T | null {
    const decoded = decode(event);
    if (decoded === null) this.stats.undecodable++;
    return decoded;
  }

  private emitProperty(event: IoxEvent, previous: string | undefined, info: DeliveryInfo): void {
    // The stored state, not the event: it has the unit kept from earlier updates that carried one.
    const stored = this.store.property(event.node, event.control);
    const change: PropertyChange = {
      node: event.node,
      control: event.control,
      kind: commandLabel(event.control) === undefined ? 'status' : 'command',
      value: event.action,
      uom: stored?.uom,
      prec: stored?.prec,
      formatted: event.formattedAction,
      name: stored?.name,
      previous,
    };
    const subscriptions = this.propertyListeners;
    for (let i = 0; i < subscriptions.length; i++) {
      const s = subscriptions[i];
      if ((s.node !== undefined && s.node !== change.node) || (s.control !== undefined && s.control !== change.control))
        continue;
      this.call(s.cb, change, info, 'property');
    }
  }

  private emit<T>(listeners: Listener<T>[], value: T, info: DeliveryInfo, channel: string): void {
    for (let i = 0; i < listeners.length; i++) this.call(listeners[i], value, info, channel);
  }

  private call<T>(cb: Listener<T>, value: T, info: DeliveryInfo, channel: string): void {
    try {
      cb(value, info);
    } catch (error) {
      this.stats.listenerErrors++;
      this.logger.error(`an ${channel} listener threw`, error); // a safe logger: never throws
    }
  }

  /** Every parsed event. */
  onEvent(cb: Listener<IoxEvent>): () => void {
    this.eventListeners = [...this.eventListeners, cb];
    return () => {
      this.eventListeners = this.eventListeners.filter((l) => l !== cb);
    };
  }

  /** Node property updates and node commands, optionally only for one node and/or control. */
  onProperty(cb: Listener<PropertyChange>, filter?: PropertyFilter): () => void {
    const subscription: PropertySubscription = { cb, node: filter?.node, control: filter?.control };
    this.propertyListeners = [...this.propertyListeners, subscription];
    return () => {
      this.propertyListeners = this.propertyListeners.filter((s) => s !== subscription);
    };
  }

  /** Program status changes (`_1`/`0`). */
  onProgramStatus(cb: Listener<ProgramStatus>): () => void {
    return this.subscribe('programListeners', cb);
  }

  /** Variable value and init value changes (`_1`/`6`, `7`). */
  onVariable(cb: Listener<VariableChange>): () => void {
    return this.subscribe('variableListeners', cb);
  }

  /** Variable definitions changed (`_1`/`9`). */
  onVariableTableChange(cb: Listener<VariableTableChange>): () => void {
    return this.subscribe('tableListeners', cb);
  }

  /** Node lifecycle (`_3`): added, removed, renamed, comm errors, ... */
  onLifecycle(cb: Listener<NodeLifecycle>): () => void {
    return this.subscribe('lifecycleListeners', cb);
  }

  /** Controller busy state (`_5`). */
  onSystemStatus(cb: Listener<SystemStatus>): () => void {
    return this.subscribe('systemStatusListeners', cb);
  }

  /** Heartbeats (`_0`). */
  onHeartbeat(cb: Listener<Heartbeat>): () => void {
    return this.subscribe('heartbeatListeners', cb);
  }

  /** Sequence gaps or backward steps within one subscription; the consumer may want to refresh. */
  onGap(cb: Listener<SequenceGap>): () => void {
    return this.subscribe('gapListeners', cb);
  }

  private subscribe<K extends ChannelKey>(key: K, cb: Channels[K][number]): () => void {
    const channels = this.channels as Record<ChannelKey, unknown[]>;
    channels[key] = [...channels[key], cb];
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      channels[key] = channels[key].filter((l) => l !== cb);
    };
  }
}
