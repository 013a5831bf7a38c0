import { STATUS_CODES, createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { wsText } from './wsText';
import { FaultState, type GarbageKind, type SimulatorFaults } from './faults';
import { formatValue } from './formats';
import {
  generateHouse,
  pickLiveChange,
  programParts,
  propertyParts,
  snapshotNodes,
  touchProgram,
  variableParts,
  type House,
  type PropertyValue,
  type SimProperty,
} from './house';
import { bearerOf, handleHttp, type SimulatorCredentials } from './httpApi';
import { TokenIssuer } from './jwt';
import { capturePlan, generatedPlan } from './plans';
import { createPrng } from './prng';
import { loadCapture, type Capture } from './replayFile';
import { Session, type SessionContext, type SessionInfo, type StreamPath } from './session';
import { createStats, socketOpened, type SimulatorStats } from './stats';
import type { EventParts } from './wire';

/** Random live property changes. */
export interface LiveEventsOptions {
  /** Mean time between changes in ms before `speed` scaling (each gap is 0.5x-1.5x of it). Default 5000. */
  intervalMs?: number;
  /** Also send the `DON`/`DOF` command frame a physical switch press produces before its `ST`. Default false. */
  commands?: boolean;
}

/** Which token-frame shapes `/api/events/subscribe` accepts. */
export type TokenFrameShape =
  /** `{"auth":{"token":"<jwt>"}}` */
  | 'auth'
  /** `{"type":"auth","creds":{"token":"<jwt>"}}` */
  | 'creds';

/** Options of {@link startSimulator}; every field is optional. */
export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /**
   * Required credentials: Basic on `/rest/subscribe` (a bearer JWT from `/api/login` works too), the
   * user of `/api/login`, and a token frame on `/api/events/subscribe`. Absent = no auth checks at
   * all: any login succeeds and `/api/events/subscribe` replays without waiting for a token frame.
   */
  auth?: SimulatorCredentials;
  /**
   * Path of a capture in the fixture's jsonl format to replay instead of the generated house: its
   * received frames, with their own timing scaled by `speed`, `seqnum`/`sid` renumbered for each
   * subscription and everything else verbatim (so its `_0` frames keep their unscaled action).
   * Generated heartbeats and live events start after the file; the truth is the node status after
   * all of the capture's property frames.
   */
  replay?: string;
  /** Time compression: every delay (replay timing, heartbeats, live events) is divided by it. Default 1. */
  speed?: number;
  /** Heartbeat period in seconds (before `speed` scaling). Default 30. */
  heartbeatSec?: number;
  /**
   * The `_0` action: the longest silence the controller promises, in seconds. It is divided by
   * `speed` too (and then may be fractional, e.g. `0.9`) so a client's watchdog stays meaningful.
   * Default 90.
   */
  heartbeatPromise?: number;
  /** Random live changes: `false` for none, a number for the mean interval in ms, or options. Default on, 5000 ms. */
  liveEvents?: false | number | LiveEventsOptions;
  /** Seed of every random choice (house, replay timing, live events). Default 1. */
  seed?: number;
  /** Access-token lifetime in seconds (real time, not scaled). Default 3600. */
  tokenTtlSec?: number;
  /** Refresh-token lifetime in seconds. Default 7 days. */
  refreshTtlSec?: number;
  /** Token-frame shapes accepted on `/api/events/subscribe`. Default both. */
  tokenFrames?: readonly TokenFrameShape[];
  /** How long `/api/events/subscribe` waits for the token frame before closing with 1008 (real ms). Default 10000. */
  authTimeoutMs?: number;
  /** Offset of the controller's clock in minutes east of UTC, for timestamps. Default: this machine's. */
  utcOffsetMinutes?: number;
}

/** A running simulator. */
export interface Simulator {
  /** The controller's base URL, `http://127.0.0.1:PORT`. Streams are at `/rest/subscribe` and `/api/events/subscribe` (ws://). */
  readonly url: string;
  /** The TCP port it listens on (the one picked when `port` was 0). */
  readonly port: number;
  /** Fault injection. */
  readonly faults: SimulatorFaults;
  /** Live counters (the object is updated in place). */
  readonly stats: SimulatorStats;
  /** The simulated state itself (nodes, programs, variables). Read it; change it only through `emitChange`. */
  readonly house: House;
  /** Node status now, in the shape of a client's `mirror.nodes` (a copy). */
  truth(): Map<string, Map<string, PropertyValue>>;
  /** The open connections. */
  sessions(): SessionInfo[];
  /**
   * Change one property now and send it to every subscriber: applied to the truth first. `value` is
   * the raw action; the display string is derived from the property's model unless given. Throws for
   * an unknown node; an unknown control is added to the node.
   */
  emitChange(
    node: string,
    control: string,
    value: string | number,
    extra?: { uom?: string; prec?: string; formatted?: string; name?: string },
  ): PropertyValue;
  /** Turn random live changes off (`false`) or on again with new settings, at run time. */
  setLiveEvents(liveEvents: false | number | LiveEventsOptions): void;
  /** Send an arbitrary event (e.g. `{ control: '_3', action: 'NR', node: '1A 2B 3C 1' }`) to every subscriber. */
  emitEvent(parts: EventParts): void;
  /** Terminate every socket, clear every timer, close the server. Idempotent. */
  close(): Promise<void>;
}

/** Normalised {@link LiveEventsOptions}, or undefined when disabled. */
function liveOptions(option: SimulatorOptions['liveEvents']): Required<LiveEventsOptions> | undefined {
  if (option === false) return undefined;
  if (typeof option === 'number') return option > 0 ? { intervalMs: option, commands: false } : undefined;
  return { intervalMs: option?.intervalMs ?? 5000, commands: option?.commands ?? false };
}

/** `90` stays `90`; `90 / 100` becomes `0.9`. */
function promiseText(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

/**
 * Start an eisy-like controller on a real WebSocket server. See {@link SimulatorOptions}.
 *
 * @example
 * const sim = await startSimulator({ auth: { username: 'admin', password: 'admin' }, speed: 10 });
 * // ws://127.0.0.1:PORT/rest/subscribe with Basic admin:admin
 * sim.faults.drop();
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new RangeError('speed must be > 0');
  const heartbeatSec = options.heartbeatSec ?? 30;
  if (!(heartbeatSec > 0)) throw new RangeError('heartbeatSec must be > 0');
  const heartbeatAction = promiseText((options.heartbeatPromise ?? 90) / speed);
  let live = liveOptions(options.liveEvents);
  const tokenFrames = new Set<TokenFrameShape>(options.tokenFrames ?? ['auth', 'creds']);
  const offsetMinutes = options.utcOffsetMinutes ?? -new Date().getTimezoneOffset();
  const prng = createPrng(options.seed ?? 1);
  const houseRng = prng.fork();
  const scheduleRng = prng.fork();
  const liveRng = prng.fork();
  const bootAt = new Date(Date.now() - 29 * 86_400_000);

  const capture: Capture | undefined = options.replay === undefined ? undefined : loadCapture(options.replay);
  const house = capture ? capture.house : generateHouse(houseRng, new Date());
  /** Properties changed live in capture mode: re-sent after the file, which only knows their old values. */
  const touched = new Set<string>();

  const hex = (): string => houseRng.int(0, 255).toString(16).padStart(2, '0');
  const config = { uuid: `00:21:b9:${hex()}:${hex()}:${hex()}`, version: '6.0.0', portalHost: 'my.isy.io' };
  const stats = createStats();
  const tokens = new TokenIssuer(options.tokenTtlSec ?? 3600, options.refreshTtlSec ?? 7 * 86_400);
  const sessions = new Set<Session>();
  /** Raw sockets answered with an HTTP error and still flushing. */
  const rawSockets = new Set<Duplex>();
  let sidCounter = 0;
  let sessionCounter = 0;
  let microCounter = 0;
  let closed: Promise<void> | undefined;

  const eachSession = (fn: (s: Session) => void): number => {
    let n = 0;
    for (const s of [...sessions]) {
      if (s.state !== 'closed') {
        fn(s);
        n++;
      }
    }
    return n;
  };

  const faults = new FaultState({
    dropAll: (code, reason) =>
      eachSession((s) => {
        if (code === undefined) s.ws.terminate();
        else s.ws.close(code, reason);
      }),
    stallAll: () => eachSession((s) => s.stall()),
    resumeAll: () => void eachSession((s) => s.resume()),
    garbageAll: (kinds: readonly GarbageKind[]) => eachSession((s) => s.garbage(kinds)),
  });

  const ctx: SessionContext = {
    stats,
    heartbeatMs: (heartbeatSec * 1000) / speed,
    heartbeatAction,
    offsetMinutes,
    micros: () => microCounter++,
    nextSid: () => `uuid:${++sidCounter}`,
    takeSlowReplay: () => faults.takeSlowReplay(),
    plan: (s) =>
      capture
        ? capturePlan(capture.frames, s.path === 'api', speed)
        : generatedPlan(house, bootAt, offsetMinutes, heartbeatAction, scheduleRng, speed),
    heartbeatDuringReplay: !capture,
    afterReplay: (s) => {
      for (const key of touched) {
        const [address, control] = key.split('\n') as [string, string];
        const p = house.nodes.get(address)?.properties.get(control);
        if (p) s.sendEvent(propertyParts(address, control, p), p.changedAt);
      }
    },
  };

  /**
   * Who gets a live event: sessions past their replay, and (generated house only) sessions in the
   * middle of it, whose later replayed frames are rendered from current state anyway. A captured
   * file would overwrite the change with its old value, so those sessions get it after the file.
   */
  const broadcast = (parts: EventParts): void => {
    eachSession((s) => {
      if (s.state === 'live' || (s.state === 'replaying' && !capture)) s.sendEvent(parts);
    });
  };

  const applyChange = (
    address: string,
    control: string,
    value: string,
    extra: { uom?: string; prec?: string; formatted?: string; name?: string } = {},
  ): SimProperty => {
    const node = house.nodes.get(address);
    if (!node) throw new Error(`unknown node ${JSON.stringify(address)}`);
    const now = new Date();
    let p = node.properties.get(control);
    if (!p) {
      p = { value, changedAt: now };
      node.properties.set(control, p);
    }
    p.value = value;
    p.changedAt = now;
    if (extra.uom !== undefined) p.uom = extra.uom;
    if (extra.prec !== undefined) p.prec = extra.prec;
    if (extra.name !== undefined) p.name = extra.name;
    const numeric = Number(value);
    const derived =
      p.model && value.trim() !== '' && Number.isFinite(numeric) ? formatValue(p.model, numeric) : undefined;
    const formatted = extra.formatted ?? derived;
    if (formatted === undefined) delete p.formatted;
    else p.formatted = formatted;
    if (capture) touched.add(`${address}\n${control}`);
    broadcast(propertyParts(address, control, p));
    return p;
  };

  // ---- live events: one simulator-wide timer chain ---------------------------------------------
  let liveTimer: NodeJS.Timeout | undefined;
  const scheduleLive = (): void => {
    if (!live || closed) return;
    liveTimer = setTimeout(liveTick, (live.intervalMs * (0.5 + liveRng.next())) / speed);
  };
  const liveTick = (): void => {
    liveTimer = undefined;
    const change = pickLiveChange(house, liveRng);
    if (change?.type === 'property') {
      const p = house.nodes.get(change.address)?.properties.get(change.control);
      if (live?.commands && change.control === 'ST' && (p?.model?.kind === 'level' || p?.model?.kind === 'onoff')) {
        broadcast({ control: change.raw === 0 ? 'DOF' : 'DON', action: '0', node: change.address });
      }
      applyChange(change.address, change.control, String(change.raw));
    } else if (change?.type === 'program') {
      const program = house.programs.get(change.id);
      if (program) {
        touchProgram(program, liveRng, new Date());
        broadcast(programParts(program, offsetMinutes));
      }
    } else if (change?.type === 'variable') {
      const v = house.variables.get(change.key);
      if (v) {
        v.value = change.value;
        v.changedAt = new Date();
        broadcast(variableParts(v, '6', offsetMinutes));
      }
    }
    scheduleLive();
  };

  // ---- WebSocket upgrades ----------------------------------------------------------------------
  const wss = new WebSocketServer({ noServer: true, autoPong: false, clientTracking: false, perMessageDeflate: false });

  const refuse = (socket: Duplex, status: number, extraHeaders: Record<string, string> = {}): void => {
    const body = `${status} ${STATUS_CODES[status] ?? 'Error'}\n`;
    const headers = {
      'Content-Type': 'text/plain',
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
      ...extraHeaders,
    };
    const head = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    rawSockets.add(socket);
    socket.once('close', () => rawSockets.delete(socket));
    socket.once('finish', () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${head}\r\n${body}`);
  };

  /** Who is on the upgrade request (Basic user or bearer subject) and whether the credentials pass. */
  const headerIdentity = (req: IncomingMessage): { identity: string; valid: boolean } => {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon < 0 ? decoded : decoded.slice(0, colon);
      const pass = colon < 0 ? '' : decoded.slice(colon + 1);
      return {
        identity: user,
        valid: !options.auth || (user === options.auth.username && pass === options.auth.password),
      };
    }
    const bearer = bearerOf(req);
    if (bearer !== undefined) {
      const claims = tokens.verify(bearer, 'access');
      return { identity: claims?.sub ?? '-', valid: !options.auth || claims !== undefined };
    }
    return { identity: '-', valid: !options.auth };
  };

  const server = createServer((req, res) => {
    handleHttp(req, res, {
      auth: options.auth,
      tokens,
      stats,
      takeLoginReject: () => faults.takeLoginReject(),
      config,
    }).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    stats.upgrades++;
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const path: StreamPath | undefined =
      pathname === '/rest/subscribe' ? 'rest' : pathname === '/api/events/subscribe' ? 'api' : undefined;
    if (!path || closed) return refuse(socket, path ? 503 : 404);
    const injected = faults.takeReject();
    if (injected !== undefined) {
      stats.rejects++;
      return refuse(socket, injected, injected === 401 ? { 'WWW-Authenticate': 'Basic realm="/"' } : {});
    }
    const who = headerIdentity(req);
    // The modern path authenticates with its first frame; only the legacy path checks the header.
    if (path === 'rest' && !who.valid) {
      stats.rejects++;
      stats.authFailures++;
      return refuse(socket, 401, { 'WWW-Authenticate': 'Basic realm="/"' });
    }
    const clientHeader = req.headers['x-client-id'];
    const client =
      typeof clientHeader === 'string'
        ? clientHeader
        : `${req.socket.remoteAddress ?? '?'} ${req.headers['user-agent'] ?? '-'} ${who.identity}`;
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, path, client));
  });

  const onConnection = (ws: WebSocket, path: StreamPath, client: string): void => {
    socketOpened(stats, client);
    const session = new Session(++sessionCounter, ws, path, client, ctx);
    sessions.add(session);
    ws.once('close', () => sessions.delete(session));
    ws.on('error', () => ws.terminate());
    const closeMode = faults.takeAcceptThenClose();
    if (closeMode) {
      if (closeMode === 'terminate') ws.terminate();
      else ws.close(1011, 'simulated accept-then-close');
      return;
    }
    if (faults.stallNew) session.stall();
    if (path === 'rest' || !options.auth) {
      session.begin();
      return;
    }
    session.awaitAuth(options.authTimeoutMs ?? 10_000, () => {
      stats.tokenFrameFailures++;
      ws.close(1008, 'no auth frame');
    });
    ws.once('message', (data: RawData, isBinary: boolean) => {
      if (session.state !== 'auth') return;
      const token = isBinary ? undefined : tokenFromFrame(wsText(data), tokenFrames);
      if (token !== undefined && tokens.verify(token, 'access')) {
        session.begin();
      } else {
        stats.tokenFrameFailures++;
        ws.close(1008, 'unauthorized');
      }
    });
  };

  // ---- listen ---------------------------------------------------------------------------------
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  scheduleLive();

  const close = (): Promise<void> => {
    closed ??= (async () => {
      clearTimeout(liveTimer);
      liveTimer = undefined;
      const closing = [...sessions].map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.ws.readyState === s.ws.CLOSED) return resolve();
            s.ws.once('close', () => resolve());
          }),
      );
      for (const s of sessions) {
        s.dispose();
        s.ws.terminate();
      }
      for (const socket of rawSockets) socket.destroy();
      wss.close();
      server.closeAllConnections();
      await Promise.all([...closing, new Promise<void>((resolve) => server.close(() => resolve()))]);
    })();
    return closed;
  };

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    faults,
    stats,
    house,
    truth: () => snapshotNodes(house),
    sessions: () => [...sessions].map((s) => s.info()),
    emitChange: (node, control, value, extra) => {
      const p = applyChange(node, control, String(value), extra);
      const out: PropertyValue = { value: p.value };
      if (p.uom !== undefined) out.uom = p.uom;
      if (p.prec !== undefined) out.prec = p.prec;
      if (p.formatted !== undefined) out.formatted = p.formatted;
      return out;
    },
    emitEvent: (parts) => broadcast(parts),
    setLiveEvents: (option) => {
      clearTimeout(liveTimer);
      liveTimer = undefined;
      live = liveOptions(option);
      scheduleLive();
    },
    close,
  };
}

/** The token of a token frame in one of the accepted shapes. */
function tokenFromFrame(text: string, shapes: ReadonlySet<TokenFrameShape>): string | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (frame === null || typeof frame !== 'object') return undefined;
  const f = frame as { auth?: { token?: unknown }; type?: unknown; creds?: { token?: unknown } };
  if (shapes.has('auth') && typeof f.auth?.token === 'string') return f.auth.token;
  if (shapes.has('creds') && f.type === 'auth' && typeof f.creds?.token === 'string') return f.creds.token;
  return undefined;
}
