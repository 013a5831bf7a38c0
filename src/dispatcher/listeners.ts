/**
 * Subscriptions: copy-on-write listener lists (subscribing or unsubscribing during a delivery never
 * disturbs it), each call isolated so a listener that throws is reported and the others still run.
 */
import { commandLabel } from './codes';
import type { PropertyState } from './mirror';
import type { DeliveryInfo, IoxEvent, PropertyChange } from './types';

/** A subscription callback: the decoded value and the delivery info (`replay`, raw `event`). */
export type Listener<T> = (decoded: T, info: DeliveryInfo) => void;

/** Filter for `onProperty`: only events for this node and/or this control. */
export interface PropertyFilter {
  /** Node address, exact match. */
  node?: string;
  /** Control (`ST`, `OL`, `DON`, ...), exact match. */
  control?: string;
}

/** Told about a listener that threw, with the channel's name (`event`, `heartbeat`, ...). */
export type ListenerFault = (channel: string, error: unknown) => void;

/** Calls one listener; a throw goes to `fault`, never to the caller. */
function callGuarded<T>(cb: Listener<T>, value: T, info: DeliveryInfo, channel: string, fault: ListenerFault): void {
  try {
    cb(value, info);
  } catch (error) {
    fault(channel, error);
  }
}

/** The listeners of one typed channel. */
export class Channel<T> {
  #listeners: Listener<T>[] = [];

  constructor(
    private readonly name: string,
    private readonly fault: ListenerFault,
  ) {}

  /** Whether anyone listens (decoding is skipped when nobody does). */
  get active(): boolean {
    return this.#listeners.length > 0;
  }

  /** Adds `cb`; the returned function removes it (once; later calls do nothing). */
  add(cb: Listener<T>): () => void {
    this.#listeners = [...this.#listeners, cb];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.#listeners = this.#listeners.filter((l) => l !== cb);
    };
  }

  /** Delivers `value` to every listener subscribed when the delivery began. */
  emit(value: T, info: DeliveryInfo): void {
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) callGuarded(listeners[i], value, info, this.name, this.fault);
  }
}

interface PropertySubscription {
  cb: Listener<PropertyChange>;
  node?: string;
  control?: string;
}

/** `onProperty` listeners, each with its node/control filter. */
export class PropertyChannel {
  #subscriptions: PropertySubscription[] = [];

  constructor(private readonly fault: ListenerFault) {}

  get active(): boolean {
    return this.#subscriptions.length > 0;
  }

  add(cb: Listener<PropertyChange>, filter?: PropertyFilter): () => void {
    const subscription: PropertySubscription = { cb, node: filter?.node, control: filter?.control };
    this.#subscriptions = [...this.#subscriptions, subscription];
    return () => {
      this.#subscriptions = this.#subscriptions.filter((s) => s !== subscription);
    };
  }

  /**
   * Builds the change from a property event and delivers it to the subscriptions it matches. The
   * unit, precision and name come from `stored` (the mirror after the update), not the event: the
   * mirror keeps them from earlier updates that carried them.
   */
  emit(event: IoxEvent, stored: PropertyState | undefined, previous: string | undefined, info: DeliveryInfo): void {
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
    const subscriptions = this.#subscriptions;
    for (let i = 0; i < subscriptions.length; i++) {
      const s = subscriptions[i];
      if ((s.node !== undefined && s.node !== change.node) || (s.control !== undefined && s.control !== change.control))
        continue;
      callGuarded(s.cb, change, info, 'property', this.fault);
    }
  }
}
