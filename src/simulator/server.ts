/**
 * `startSimulator`: the simulated controller put together. The house and its live changes, the
 * sessions and their replay, the HTTP API and the upgrade gate each live in their own module; this
 * one wires them, listens, and closes them all.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { LiveEventsOptions, Simulator, SimulatorOptions, TokenFrameShape } from './api';
import { FaultState, type GarbageKind } from './faults';
import { formatValue } from './formats';
import { programParts, propertyParts, variableParts } from './eventParts';
import { generateHouse } from './generateHouse';
import { snapshotNodes, type PropertyValue, type SimProperty } from './house';
import { handleHttp } from './httpApi';
import { TokenIssuer } from './jwt';
import { capturePlan, generatedPlan } from './plans';
import { createPrng } from './prng';
import { pickLiveChange, touchProgram } from './liveChanges';
import { loadCapture, type Capture } from './replayFile';
import { Session, type SessionContext } from './session';
import { createStats, socketOpened } from './stats';
import { createUpgradeGate } from './upgrade';
import type { EventParts } from './wire';

export type { LiveEventsOptions, Simulator, SimulatorOptions, TokenFrameShape } from './api';

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
  const busyMs = options.busy;
  if (busyMs !== undefined && !(busyMs > 0)) throw new RangeError('busy must be a number of ms > 0');
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
    timestamps: options.timestamps !== false,
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
    const at = new Date();
    eachSession((s) => {
      if (s.state === 'live') s.sendEvent(parts, at);
      else if (s.state === 'replaying' && !capture) s.queueLive(parts, at);
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
    if (closed) return;
    if (busyMs !== undefined) liveTimer = setTimeout(liveTick, busyMs);
    else if (live) liveTimer = setTimeout(liveTick, (live.intervalMs * (0.5 + liveRng.next())) / speed);
  };
  const liveTick = (): void => {
    liveTimer = undefined;
    const change = pickLiveChange(house, liveRng);
    if (change?.type === 'property') {
      const p = house.nodes.get(change.address)?.properties.get(change.control);
      if (
        live?.commands &&
        busyMs === undefined &&
        change.control === 'ST' &&
        (p?.model?.kind === 'level' || p?.model?.kind === 'onoff')
      ) {
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
  const gate = createUpgradeGate({
    dateHeader: options.dateHeader !== false,
    auth: options.auth,
    authTimeoutMs: options.authTimeoutMs ?? 10_000,
    tokenFrames,
    tokens,
    stats,
    faults,
    isClosed: () => closed !== undefined,
    openSession: (ws, path, client) => {
      socketOpened(stats, client);
      const session = new Session(++sessionCounter, ws, path, client, ctx);
      sessions.add(session);
      ws.once('close', () => sessions.delete(session));
      ws.on('error', () => ws.terminate());
      return session;
    },
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => gate.handle(req, socket, head));

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
      gate.close();
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
