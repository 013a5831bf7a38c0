/**
 * openSocket on real loopback sockets: what it sends (SNI, ALPN), how it decides on the
 * certificate, how each failure reads (refused, reset, not TLS, silent peer, destroyed by its
 * owner, timeout), and that it leaves the socket to its owner once `ready` settles.
 * test/auth/tls.test.ts covers the same checks through the WebSocket and portal paths.
 */
import dns from 'node:dns';
import {
  type AddressInfo,
  isIP,
  connect as netConnect,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net';
import { networkInterfaces } from 'node:os';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Worker } from 'node:worker_threads';
import type { TlsOptions } from '../../src/auth/types';
import { ConnectError, TlsError } from '../../src/errors';
import { silentLogger } from '../../src/logger';
import { openSocket, type PendingSocket, type SocketTarget } from '../../src/services/tls';
import { CertFactory, type TestCert } from '../auth/helpers/certs';
import { SpyLogger } from '../auth/helpers/spy';

// Every test settles in well under a second; a stall must fail fast, not at jest's 30 s.
jest.setTimeout(5000);

const hasIPv6Loopback = Object.values(networkInterfaces()).some((addresses) =>
  (addresses ?? []).some((a) => a.address === '::1'),
);

// Loopback only, also for a mutant that would look a name up: 'localhost' is 127.0.0.1, an IP
// literal is itself, every other name fails here without leaving the machine.
const realLookup = dns.lookup;
const looked: string[] = [];
function loopbackLookup(hostname: string, ...rest: unknown[]): void {
  looked.push(hostname);
  const callback = rest[rest.length - 1] as (...args: unknown[]) => void;
  const options = rest.length > 1 ? rest[0] : undefined;
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
  const address = hostname === 'localhost' ? '127.0.0.1' : hostname;
  const family = isIP(address);
  process.nextTick(() => {
    if (family === 0) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    } else if (all) {
      callback(null, [{ address, family }]);
    } else {
      callback(null, address, family);
    }
  });
}

const certs = new CertFactory();
let served: TestCert;
let other: TestCert;
let clientOnly: TestCert;

beforeAll(() => {
  served = certs.make();
  other = certs.make();
  clientOnly = certs.make(undefined, ['extendedKeyUsage=clientAuth']);
  dns.lookup = loopbackLookup as unknown as typeof dns.lookup;
});
afterAll(() => {
  dns.lookup = realLookup;
  certs.cleanup();
});

const servers: Server[] = [];
const sockets: Socket[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
const pendings: PendingSocket[] = [];

afterEach(async () => {
  jest.useRealTimers();
  for (const pending of pendings.splice(0)) pending.socket.destroy();
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: Socket) => sockets.push(socket));
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

/** A TLS server offering http/1.1 by ALPN; `secured` resolves with its side of the first handshake. */
async function tlsServer(cert: TestCert, host = '127.0.0.1') {
  let onSecured: (socket: TLSSocket) => void = () => {};
  const secured = new Promise<TLSSocket>((resolve) => (onSecured = resolve));
  const server = createTlsServer({ key: cert.key, cert: cert.cert, ALPNProtocols: ['http/1.1'] }, onSecured);
  // A client that rejects the certificate resets the handshake; the server does not care.
  server.on('tlsClientError', () => {});
  const port = await listen(server, host);
  return { port, secured };
}

/** A peer that accepts TCP and never says a word: `accepted` resolves on its first connection. */
async function silentPeer(host = '127.0.0.1') {
  let onAccepted: () => void = () => {};
  const accepted = new Promise<void>((resolve) => (onAccepted = resolve));
  const port = await listen(
    createNetServer(() => onAccepted()),
    host,
  );
  return { port, accepted };
}

/** A loopback port nothing listens on (just released by a server of ours). */
async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = createNetServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port)),
  );
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A listening port whose accept queue is full, so that a TCP connect to it stays pending (the
 * kernel drops the SYN): a worker thread listens with backlog 1 and blocks before it accepts;
 * Linux queues backlog + 1 connections, which we fill.
 */
async function unansweredTcpPort(): Promise<number> {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const server = require('node:net').createServer();
     server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData, 0, 0, 10000);
     });`,
    { eval: true, workerData: release },
  );
  cleanups.push(async () => {
    Atomics.store(release, 0, 1);
    Atomics.notify(release, 0);
    await worker.terminate();
  });
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  for (let i = 0; i < 2; i++) {
    const filler = netConnect(port, '127.0.0.1');
    sockets.push(filler);
    await new Promise((resolve, reject) => filler.once('connect', resolve).once('error', reject));
  }
  return port;
}

function open(target: SocketTarget, tls?: TlsOptions, timeoutMs?: number, logger = silentLogger): PendingSocket {
  const pending = openSocket(target, tls, logger, timeoutMs);
  pendings.push(pending);
  return pending;
}

async function failure(pending: PendingSocket): Promise<Error> {
  const outcome = await pending.ready.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected `ready` to reject');
  return outcome;
}

/** Whether a promise is still pending after the current turn's callbacks. */
async function isPending(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const first = await Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    new Promise((resolve) => setImmediate(() => resolve(marker))),
  ]);
  return first === marker;
}

type Counts = { error: number; close: number; connect: number; secureConnect: number };
function listenerCounts(socket: Socket): Counts {
  return {
    error: socket.listenerCount('error'),
    close: socket.listenerCount('close'),
    connect: socket.listenerCount('connect'),
    secureConnect: socket.listenerCount('secureConnect'),
  };
}

describe('what the server sees', () => {
  it('SNI is the host name for a name, and ALPN offers http/1.1', async () => {
    const { port, secured } = await tlsServer(served);
    const { ready } = open({ host: 'localhost', port, secure: true }, { ca: served.cert });
    await ready;
    const server = await secured;
    expect(server.servername).toBe('localhost');
    expect(server.alpnProtocol).toBe('http/1.1');
    expect(looked).toContain('localhost');
  });

  it('no SNI for an IP address', async () => {
    const { port, secured } = await tlsServer(served);
    await open({ host: '127.0.0.1', port, secure: true }, { fingerprint256: served.fingerprint256 }).ready;
    expect((await secured).servername).toBe(false);
  });

  it('target.servername wins over the host, also over an IP address', async () => {
    const { port, secured } = await tlsServer(served);
    await open(
      { host: '127.0.0.1', port, secure: true, servername: 'eisy.example' },
      { fingerprint256: served.fingerprint256 },
    ).ready;
    expect((await secured).servername).toBe('eisy.example');
  });
});

describe('the certificate decision', () => {
  it('a self-signed certificate is rejected by default, naming where, why, its fingerprint and how to pin it', async () => {
    const { port } = await tlsServer(served);
    const error = await failure(open({ host: '127.0.0.1', port, secure: true }));
    expect(error).toBeInstanceOf(TlsError);
    expect(error.message).toBe(
      `TLS: the certificate presented by 127.0.0.1:${port} was rejected: it is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT). ` +
        `Its SHA-256 fingerprint is ${served.fingerprint256} (hex ${served.hex}). ` +
        `If this is your controller's own certificate, pin it: tls: { fingerprint256: '${served.fingerprint256}' }`,
    );
    expect((error as TlsError).certificateRejected).toBe(true);
    expect((error as TlsError).fingerprint256).toBe(served.fingerprint256);
  });

  it('a pinned mismatch names both fingerprints and says to update the pin', async () => {
    const { port } = await tlsServer(served);
    const error = await failure(open({ host: '127.0.0.1', port, secure: true }, { fingerprint256: other.hex }));
    expect(error).toBeInstanceOf(TlsError);
    expect(error.message).toContain(`its SHA-256 fingerprint does not match the pinned ${other.fingerprint256}.`);
    expect(error.message).toContain(
      `If the controller's certificate was replaced on purpose, update the pin: tls: { fingerprint256: '${served.fingerprint256}' }`,
    );
    expect(error.message).not.toContain('pin it:');
    expect((error as TlsError).certificateRejected).toBe(true);
  });

  it('a verification code without words of its own is "verification failed (CODE)"', async () => {
    // Trusted by tls.ca, but issued for client authentication only: OpenSSL says INVALID_PURPOSE.
    const { port } = await tlsServer(clientOnly);
    const error = await failure(open({ host: '127.0.0.1', port, secure: true }, { ca: clientOnly.cert }));
    expect(error).toBeInstanceOf(TlsError);
    expect(error.message).toContain(
      `TLS: the certificate presented by 127.0.0.1:${port} was rejected: verification failed (INVALID_PURPOSE). `,
    );
    expect((error as TlsError).certificateRejected).toBe(true);
  });

  it('rejectUnauthorized: false connects, with one warning that names the risk and the fingerprint256 remedy', async () => {
    const { port } = await tlsServer(served);
    const logger = new SpyLogger();
    await open({ host: '127.0.0.1', port, secure: true }, { rejectUnauthorized: false }, undefined, logger).ready;
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        text:
          'TLS certificate verification is OFF (tls.rejectUnauthorized: false): anyone on the network path can ' +
          "impersonate the controller and read its credentials. Pin the controller's certificate instead: " +
          "tls: { fingerprint256: '<SHA-256 fingerprint>' } (the fingerprint is shown when verification fails).",
      },
    ]);
  });
});

describe('how each failure reads', () => {
  it.each([true, false])('a refused connection names the errno and the target (secure: %s)', async (secure) => {
    const port = await closedPort();
    const { socket, ready } = open({ host: '127.0.0.1', port, secure });
    const error = await failure({ socket, ready });
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toBe(`connect to 127.0.0.1:${port} failed: ECONNREFUSED`);
    expect((error as ConnectError).errno).toBe('ECONNREFUSED');
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
    expect(socket.destroyed).toBe(true);
  });

  it('a peer that closes before the TLS handshake completes is the classified reset', async () => {
    const port = await listen(createNetServer((socket) => socket.end()));
    const error = await failure(open({ host: '127.0.0.1', port, secure: true }));
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toBe(`connect to 127.0.0.1:${port} failed: ECONNRESET`);
    expect((error as ConnectError).errno).toBe('ECONNRESET');
  });

  it('a peer that does not speak TLS is a TLS failure that is no verdict on a certificate', async () => {
    const port = await listen(createNetServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const error = await failure(open({ host: '127.0.0.1', port, secure: true }));
    expect(error).toBeInstanceOf(TlsError);
    expect(error.message).toBe('TLS: TLS failed (ERR_SSL_WRONG_VERSION_NUMBER).');
    expect((error as TlsError).certificateRejected).toBe(false);
    expect((error.cause as { code?: string }).code).toBe('ERR_SSL_WRONG_VERSION_NUMBER');
  });

  it('the owner destroying the socket mid-handshake rejects at once: closed before it was established', async () => {
    const { port, accepted } = await silentPeer();
    const { socket, ready } = open({ host: '127.0.0.1', port, secure: true }, undefined, 10_000);
    await accepted;
    socket.destroy();
    const error = await failure({ socket, ready });
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toBe(`connection to 127.0.0.1:${port} closed before it was established`);
  });

  it('the owner destroying a plain socket before it connects rejects the same way', async () => {
    const { port } = await silentPeer();
    const { socket, ready } = open({ host: '127.0.0.1', port, secure: false }, undefined, 10_000);
    socket.destroy();
    const error = await failure({ socket, ready });
    expect(error.message).toBe(`connection to 127.0.0.1:${port} closed before it was established`);
    expect(listenerCounts(socket).connect).toBe(0);
  });

  it('a TLS peer that never answers the handshake times out: ETIMEDOUT, destroyed, our listeners gone', async () => {
    const { port, accepted } = await silentPeer();
    const { socket, ready } = open({ host: '127.0.0.1', port, secure: true }, undefined, 50);
    const atReturn = listenerCounts(socket);
    await accepted;
    const error = await failure({ socket, ready });
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toBe(`TCP/TLS connect to 127.0.0.1:${port} timed out after 50 ms`);
    expect((error as ConnectError).errno).toBe('ETIMEDOUT');
    expect(socket.destroyed).toBe(true);
    const after = listenerCounts(socket);
    expect(after.secureConnect).toBe(0);
    expect(after.error).toBe(atReturn.error - 1);
    expect(after.close).toBe(atReturn.close - 1);
  });

  it('a TCP connect that never completes times out as "TCP connect"', async () => {
    const port = await unansweredTcpPort();
    const { socket, ready } = open({ host: '127.0.0.1', port, secure: false }, undefined, 50);
    const error = await failure({ socket, ready });
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toBe(`TCP connect to 127.0.0.1:${port} timed out after 50 ms`);
    expect((error as ConnectError).errno).toBe('ETIMEDOUT');
    expect(listenerCounts(socket).connect).toBe(0);
  });

  it.each([0, -1])('timeoutMs %s means the 30 s default, not an immediate timeout', async (timeoutMs) => {
    const { port, accepted } = await silentPeer();
    // Only the timer functions are faked: the sockets run for real.
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'hrtime',
        'performance',
        'Date',
      ],
    });
    const { socket, ready } = open({ host: '127.0.0.1', port, secure: true }, undefined, timeoutMs);
    await accepted;
    jest.advanceTimersByTime(29_999);
    expect(await isPending(ready)).toBe(true);
    expect(socket.destroyed).toBe(false);
    jest.advanceTimersByTime(1);
    const error = await failure({ socket, ready });
    expect(error.message).toBe(`TCP/TLS connect to 127.0.0.1:${port} timed out after 30000 ms`);
  });
});

describe('IPv6 literal', () => {
  // Skipped where the machine has no IPv6 loopback (::1); never any other address.
  const maybe = hasIPv6Loopback ? it : it.skip;

  maybe('is unwrapped from its brackets to connect, and shown bracketed with the port', async () => {
    const { port } = await tlsServer(served, '::1');
    await open({ host: '[::1]', port, secure: true }, { fingerprint256: served.fingerprint256 }).ready;
    const silent = await silentPeer('::1');
    const error = await failure(open({ host: '[::1]', port: silent.port, secure: true }, undefined, 50));
    expect(error.message).toBe(`TCP/TLS connect to [::1]:${silent.port} timed out after 50 ms`);
    const refused = await failure(open({ host: '::1', port: await closedPort('::1'), secure: false }));
    expect(refused.message).toMatch(/^connect to \[::1\]:\d+ failed: ECONNREFUSED$/);
  });
});

describe('once ready settles the socket is its owner’s alone', () => {
  it.each([true, false])('after success only the owner’s listeners remain (secure: %s)', async (secure) => {
    const { port } = secure ? await tlsServer(served) : await silentPeer();
    const { socket, ready } = open({ host: '127.0.0.1', port, secure }, { fingerprint256: served.fingerprint256 });
    const ownerError = jest.fn();
    const ownerClose = jest.fn();
    socket.on('error', ownerError);
    socket.on('close', ownerClose);
    const atReturn = listenerCounts(socket);
    await ready;
    const after = listenerCounts(socket);
    expect(socket.listeners('error')).toEqual([ownerError]);
    expect(after.close).toBe(atReturn.close - 1);
    expect(socket.listeners('close')).toContain(ownerClose);
    expect(after.secureConnect).toBe(0);
    expect(after.connect).toBe(0);
    // An error after success is the owner's: openSocket neither destroys the socket nor changes `ready`.
    socket.emit('error', new Error('later'));
    expect(ownerError).toHaveBeenCalledTimes(1);
    expect(socket.destroyed).toBe(false);
    await expect(ready).resolves.toBeUndefined();
  });
});
