import { EventStreamStatus, type EventStream, type IoxEvent } from 'iox-event-stream';

/**
 * A tiny home-automation app: it embeds an event stream, turns the porch light on when a device
 * reports a new status, and shows "offline" whenever the stream is not CONNECTED.
 *
 * The rule that matters: the connect-time replay (every device's *current* status, sent again on
 * each connection) is not news. An app that acts on it turns the lights on every time the
 * controller reconnects. `info.replay` tells the two apart.
 */
export interface AutomationApp {
  /** What the app's screen shows: true while the stream is not CONNECTED. */
  readonly showsOffline: boolean;
  /** The nodes whose status change fired the automation, in order. */
  readonly fired: readonly string[];
  /** Unsubscribe from the stream. */
  stop(): void;
}

/** Start the app on a stream, as in production: subscribe, and act on what comes. */
export function startAutomationApp(stream: EventStream): AutomationApp {
  return runApp(stream, (event, replay) => !replay && isStatusChange(event));
}

/** A device's status (`ST`) changed; heartbeats and other system events are not. */
export function isStatusChange(event: IoxEvent): boolean {
  return event.control === 'ST' && event.node !== '';
}

/** The app around its one decision: which events fire the automation. */
export function runApp(stream: EventStream, fires: (event: IoxEvent, replay: boolean) => boolean): AutomationApp {
  const fired: string[] = [];
  let showsOffline = stream.status !== EventStreamStatus.CONNECTED;
  const offStatus = stream.onStatus((status) => {
    showsOffline = status !== EventStreamStatus.CONNECTED;
  });
  const offEvent = stream.onEvent((event, info) => {
    if (fires(event, info.replay)) fired.push(event.node);
  });
  return {
    get showsOffline() {
      return showsOffline;
    },
    fired,
    stop: () => {
      offStatus();
      offEvent();
    },
  };
}
