/**
 * Run the automation app against the built-in simulator for a few seconds:
 * `node --import tsx examples/automation/main.ts` (from the repository root).
 */
import { createEventStream, LocalAuth, silentLogger } from 'iox-event-stream';
import { startSimulator } from 'iox-event-stream/simulator';
import { startAutomationApp } from './app';

const SECONDS = Number(process.env.SECONDS_TO_RUN ?? 5);

async function main(): Promise<void> {
  const sim = await startSimulator({ auth: { username: 'admin', password: 'admin' }, speed: 20, liveEvents: 200 });
  const stream = createEventStream({ url: sim.url, auth: new LocalAuth('admin', 'admin'), logger: silentLogger });
  const app = startAutomationApp(stream);
  stream.onStatus((status) =>
    console.log(`status ${status}: the app shows ${app.showsOffline ? 'offline' : 'online'}`),
  );
  let seen = 0;
  stream.onEvent((event, info) => {
    if (info.replay) seen++;
  });
  stream.start();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  await stream.stop();
  await sim.close();
  app.stop();
  console.log(`replayed statuses ignored: ${seen}; automations fired on live changes: ${app.fired.length}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
