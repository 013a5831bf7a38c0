import type { EventStream } from 'iox-event-stream';
import { isStatusChange, runApp, type AutomationApp } from './app';

/**
 * The same app with a planted bug: it forgets `info.replay`, so the connect-time replay fires the
 * automation (the porch light goes on at every reconnect). Its path tests must fail.
 */
export function startBuggyAutomationApp(stream: EventStream): AutomationApp {
  return runApp(stream, (event) => isStatusChange(event)); // BUG: replayed statuses fire too
}
