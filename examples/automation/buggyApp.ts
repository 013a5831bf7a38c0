import { EventStreamStatus, type EventStream } from 'iox-event-stream';
import { isStatusChange, type AutomationApp } from './app';

/**
 * The same app with a planted bug: it forgets `info.replay`, so the connect-time replay fires the
 * automation (the porch light goes on at every reconnect). Its path tests must fail.
 */
export function startBuggyAutomationApp(stream: EventStream): AutomationApp {
  const fired: string[] = [];
  let showsOffline = stream.status !== EventStreamStatus.CONNECTED;
  const offStatus = stream.onStatus((status) => {
    showsOffline = status !== EventStreamStatus.CONNECTED;
  });
  const offEvent = stream.onEvent((event) => {
    if (isStatusChange(event)) fired.push(event.node); // BUG: replayed statuses fire too
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
