/**
 * The simulator in a child process, so the scale and idle benchmarks measure the streams' process
 * alone. Started by bench/fleet.ts with the simulator options as JSON in argv[2]; talks over IPC.
 */
import { startSimulator, type SimulatorOptions } from '../src/simulator';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions;
  const sim = await startSimulator(options);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      const peak = Math.max(0, ...sim.stats.peakOpenPerClient.values());
      process.send?.({
        type: 'stats',
        openSockets: sim.stats.openSockets,
        framesSent: sim.stats.framesSent,
        maxPeakPerClient: peak,
        cpu: process.cpuUsage(),
      });
    } else if (message.type === 'close') {
      void sim.close().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', url: sim.url });
}

void main();
