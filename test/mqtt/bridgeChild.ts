/**
 * A bridge in its own process, for the last-will test: simulator + stream + bridge to the broker
 * at argv[2], base topic argv[3]. Prints `ready` once the bridge reports the stream online, then
 * runs until it is killed.
 */
import { createMqttBridge } from '../../src/mqtt';
import { simulatedStream } from './helpers';

async function main(): Promise<void> {
  const [url, baseTopic] = process.argv.slice(2);
  const { stream } = await simulatedStream();
  const bridge = createMqttBridge({ stream, url, baseTopic, clientOptions: { keepalive: 60 } });
  bridge.start();
  stream.start();
  stream.onStatus((status) => {
    if (status === 'CONNECTED') process.stdout.write('ready\n');
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bridge child failed: ${String(error)}\n`);
  process.exit(1);
});
