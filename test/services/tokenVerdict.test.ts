/**
 * The token verdict of `/api/events/subscribe`: after the opening (token) frame the controller
 * sends no acknowledgement; its first frame means accepted, a 1008 close rejected, any other end a
 * failed attempt whose error says what happened. Against a real `ws` server on 127.0.0.1 over the
 * Node transport, through the subscriber slot as the `connect` actor uses it.
 */
import type { WebSocket } from 'ws';
import { silentLogger } from '../../src';
import { ConnectError, TokenRejectedError } from '../../src/errors';
import { nodeTransport } from '../../src/services/nodeTransport';
import { SubscriberSlot } from '../../src/services/subscriberSlot';
import { ScriptedServer } from '../helpers/scriptedServer';

const TOKEN_FRAME = JSON.stringify({ authorization: 'Bearer not-logged' });
const MAX_PAYLOAD = 1024;

let server: ScriptedServer;
let slot: SubscriberSlot;

beforeEach(async () => {
  server = await ScriptedServer.start();
  slot = new SubscriberSlot(nodeTransport, { closeGraceMs: 1000 });
});

afterEach(async () => {
  slot.abandon();
  await slot.whenVacant();
  await server.close();
});

/** The controller answers the token frame with `answer`. */
function answerToken(answer: (ws: WebSocket) => void): void {
  server.onConnection = (ws) => {
    ws.once('message', () => answer(ws));
  };
}

function openWithToken() {
  return slot.open(
    {
      url: `${server.url.replace('http:', 'ws:')}/api/events/subscribe`,
      headers: {},
      maxPayload: MAX_PAYLOAD,
      logger: silentLogger,
    },
    () => Promise.resolve(TOKEN_FRAME),
    AbortSignal.timeout(2000),
  );
}

it('the first frame after the token is the acceptance: the link is handed over', async () => {
  answerToken((ws) => ws.send('<Event seqnum="0"/>'));
  const link = await openWithToken();
  expect(link.phase).toBe('open');
  expect(server.received).toEqual([TOKEN_FRAME]);
});

it('a 1008 close after the token is a refused token (the 401 path)', async () => {
  answerToken((ws) => ws.close(1008, 'unauthorized'));
  const error: unknown = await openWithToken().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TokenRejectedError);
  expect((error as TokenRejectedError).message).toContain('"unauthorized"');
});

it('another close code after the token is a failed attempt whose message carries the code', async () => {
  answerToken((ws) => ws.close(1011, 'internal error'));
  const error: unknown = await openWithToken().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectError);
  expect(error).not.toBeInstanceOf(TokenRejectedError);
  expect((error as Error).message).toBe('socket closed right after the token frame (code 1011)');
});

it('a failure after the token is a failed attempt whose message carries the failure', async () => {
  // A frame over maxPayload fails the connection (ws: "Max payload size exceeded").
  answerToken((ws) => ws.send('x'.repeat(MAX_PAYLOAD * 2)));
  const error: unknown = await openWithToken().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectError);
  expect((error as Error).message).toBe('socket failed right after the token frame: Max payload size exceeded');
});
