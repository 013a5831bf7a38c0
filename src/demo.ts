/**
 * `npm start`: a minimal loopback demo until the built-in simulator lands. A tiny controller on
 * 127.0.0.1 replays a few statuses, then sends live changes; the stream shows its life cycle.
 */
import { WebSocketServer } from 'ws';
import { createEventStream } from './index';

function frame(seqnum: number, control: string, action: string, node: string, fmt: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Event seqnum="${seqnum}" sid="uuid:1" timestamp="${new Date().toISOString()}"><control>${control}</control><action uom="100" prec="0">${action}</action><node>${node}</node><eventInfo></eventInfo><fmtAct>${fmt}</fmtAct></Event>`;
}

async function main(): Promise<void> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as { port: number }).port;
  server.on('connection', (ws) => {
    let seq = 0;
    for (let i = 0; i < 5; i++) ws.send(frame(seq++, 'ST', '0', `1A 2B 3${i} 1`, 'Off'));
    const live = setInterval(() => ws.send(frame(seq++, 'ST', '255', '1A 2B 30 1', 'On')), 300);
    ws.on('close', () => clearInterval(live));
  });

  const stream = createEventStream({ url: `http://127.0.0.1:${port}`, quietMs: 300 });
  stream.onStatus((status) => console.log(`${new Date().toISOString()}  status  ${status}`));
  stream.onEvent((event, info) => console.log(`${new Date().toISOString()}  event   ${event.node} ${event.control}=${event.formattedAction ?? event.action}${info.replay ? '  (replay)' : ''}`));
  stream.start();

  await new Promise((resolve) => setTimeout(resolve, 2000));
  await stream.stop();
  server.close();
  console.log(`summary: mirror holds ${stream.mirror.nodes.size} nodes`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
