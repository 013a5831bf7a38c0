/** The scripted server itself: a failing script must fail the test that wrote it. */
import WebSocket from 'ws';
import { ScriptedServer } from './scriptedServer';

async function connectAndWaitClose(url: string): Promise<void> {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + '/rest/subscribe');
  await new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
    socket.on('open', () => setTimeout(() => socket.close(), 20));
  });
}

it.each([
  ['async', async () => Promise.reject(new Error('script broke'))],
  [
    'sync',
    () => {
      throw new Error('script broke');
    },
  ],
] as const)('close() rethrows what an %s onConnection script threw', async (_kind, script) => {
  const server = await ScriptedServer.start();
  server.onConnection = script;
  await connectAndWaitClose(server.url);
  await expect(server.close()).rejects.toThrow('script broke');
});
