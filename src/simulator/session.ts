import { WebSocket } from 'ws';
import type { GarbageKind } from './faults';
import { socketClosed, type SimulatorStats } from './stats';
import { formatTimestamp, renderEvent, rewriteHeader, wrapEnvelope, XML_DECLARATION, type EventParts } from './wire';

/** `rest`: `/rest/subscribe` (raw XML); `api`: `/api/events/subscribe` (JSON envelope). */
export type StreamPath = 'rest' | 'api';

/** Where a subscription is in its life. */
export type SessionState = 'auth' | 'waiting' | 'replaying' | 'live' | 'closed';

/** One step of a replay: run at `atMs` (already scaled by `speed`) after the replay starts. */
export interface ReplayStep {
  atMs: number;
  run(session: Session): void;
}

/** What a session needs from its simulator. */
export interface SessionContext {
  stats: SimulatorStats;
  /** Heartbeat period in ms, already scaled by `speed`. */
  heartbeatMs: number;
  /** `<action>` text of heartbeats. */
  heartbeatAction: string;
  offsetMinutes: number;
  /** Stamp frames with `timestamp` (false: like ISY994 v4 frames, which carry none). */
  timestamps: boolean;
  /** Sub-millisecond digits for timestamps (JavaScript dates stop at ms). */
  micros(): number;
  /** A new `uuid:N` subscription id. */
  nextSid(): string;
  /** Replay delay injected by `faults.slowReplay()`, in real ms. */
  takeSlowReplay(): number;
  /** The replay to run for this session (built when it starts, so it reflects current state). */
  plan(session: Session): ReplayStep[];
  /** Heartbeats start with the replay (generated house) or only after it (captured file, which has its own). */
  heartbeatDuringReplay: boolean;
  /** Called once the replay has been sent. */
  afterReplay(session: Session): void;
}

/** A read-only view of one connection, for tests. */
export interface SessionInfo {
  /** Connection number, from 1, in accept order. */
  id: number;
  /** Subscription id; `undefined` until authenticated. */
  sid: string | undefined;
  /** Which stream path the client subscribed to. */
  path: StreamPath;
  /** The client's address and port (`127.0.0.1:54321`). */
  client: string;
  /** Where the session is: waiting for its auth frame, waiting to replay, replaying, live, closed. */
  state: SessionState;
  /** A fault made the simulator stop sending on this socket (a half-open peer). */
  stalled: boolean;
  /** The `seqnum` the next event will carry. */
  nextSeqnum: number;
  /** Once the replay has been sent: the `seqnum` of the first frame after it (frames below it are replay). */
  replayEnd: number | undefined;
  /** Frames sent on this socket so far (replay, live events, heartbeats). */
  framesSent: number;
}

/**
 * One subscriber socket: authentication wait, replay schedule, heartbeats, stall buffer. It holds at
 * most one replay timer, one heartbeat interval and one auth/slow-replay timer, all cleared on close.
 */
export class Session {
  state: SessionState = 'auth';
  sid: string | undefined;
  seq = 0;
  framesSent = 0;
  replayEnd: number | undefined;
  stalled = false;
  private held: Array<{ data: string | Buffer; binary: boolean }> = [];
  /** Live changes that happened during the replay, with their time: sent right after it. */
  private queued: Array<{ parts: EventParts; at: Date }> = [];
  private replayTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private waitTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    readonly path: StreamPath,
    readonly client: string,
    private readonly ctx: SessionContext,
  ) {
    // Pongs are ours to send (the server runs with autoPong off) so a stall can swallow them too.
    ws.on('ping', (data) => {
      if (!this.stalled && ws.readyState === WebSocket.OPEN) ws.pong(data);
    });
    ws.once('close', () => this.dispose());
  }

  info(): SessionInfo {
    return {
      id: this.id,
      sid: this.sid,
      path: this.path,
      client: this.client,
      state: this.state,
      stalled: this.stalled,
      nextSeqnum: this.seq,
      framesSent: this.framesSent,
      replayEnd: this.replayEnd,
    };
  }

  /** Arm a timer that closes the socket unless `begin()` is called first (token-frame auth). */
  awaitAuth(timeoutMs: number, onTimeout: () => void): void {
    this.waitTimer = setTimeout(() => {
      this.waitTimer = undefined;
      onTimeout();
    }, timeoutMs);
  }

  /** Authenticated: take a `sid`, wait out any injected slow replay, then replay. */
  begin(): void {
    if (this.state !== 'auth') return;
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    this.sid = this.ctx.nextSid();
    this.ctx.stats.subscriptions++;
    const delay = this.ctx.takeSlowReplay();
    if (delay > 0) {
      this.state = 'waiting';
      this.waitTimer = setTimeout(() => {
        this.waitTimer = undefined;
        this.startReplay();
      }, delay);
    } else {
      this.startReplay();
    }
  }

  private startReplay(): void {
    if (this.state === 'closed') return;
    this.state = 'replaying';
    if (this.ctx.heartbeatDuringReplay) this.startHeartbeat();
    const plan = this.ctx.plan(this);
    const started = performance.now();
    let next = 0;
    // One timer at a time, armed for the next due step: never a polling loop.
    const tick = (): void => {
      this.replayTimer = undefined;
      const elapsed = performance.now() - started;
      while (next < plan.length && plan[next].atMs <= elapsed + 0.5) {
        plan[next++].run(this);
        if (this.state === 'closed') return;
      }
      if (next < plan.length) {
        this.replayTimer = setTimeout(tick, plan[next].atMs - elapsed);
        return;
      }
      this.state = 'live';
      this.replayEnd = this.seq;
      const queued = this.queued;
      this.queued = [];
      for (const q of queued) this.sendEvent(q.parts, q.at);
      this.startHeartbeat();
      this.ctx.afterReplay(this);
    };
    tick();
  }

  private startHeartbeat(): void {
    if (this.heartbeatTimer || this.state === 'closed') return;
    this.heartbeatTimer = setInterval(
      () => this.queueLive({ control: '_0', action: this.ctx.heartbeatAction, node: '' }, new Date()),
      this.ctx.heartbeatMs,
    );
  }

  /** Render an event with this session's next seqnum and send it. `at` sets the timestamp (default now). */
  sendEvent(parts: EventParts, at: Date = new Date()): void {
    if (this.state === 'closed' || this.sid === undefined) return;
    const timestamp = this.ctx.timestamps ? formatTimestamp(at, this.ctx.offsetMinutes, this.ctx.micros()) : '';
    this.sendXml(renderEvent({ seqnum: this.seq++, sid: this.sid, timestamp }, parts));
  }

  /**
   * A live change during this session's replay: a real controller queues it behind the replay it is
   * sending, stamped when it happened.
   */
  queueLive(parts: EventParts, at: Date): void {
    if (this.state === 'replaying') this.queued.push({ parts, at });
    else this.sendEvent(parts, at);
  }

  /** Send a captured event with its seqnum and sid replaced by this session's. */
  sendCaptured(xml: string): void {
    if (this.sid === undefined) return;
    this.sendXml(rewriteHeader(xml, this.seq++, this.sid));
  }

  private sendXml(xml: string): void {
    this.deliver(this.path === 'api' ? wrapEnvelope(xml) : xml, false);
  }

  /** Send a frame as is (`binary: false` with a Buffer sends its bytes as a text frame, unvalidated). */
  deliver(data: string | Buffer, binary: boolean): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.stalled) {
      this.held.push({ data, binary });
      return;
    }
    this.ws.send(data, { binary });
    this.framesSent++;
    this.ctx.stats.framesSent++;
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    if (!this.stalled) return;
    this.stalled = false;
    const held = this.held;
    this.held = [];
    for (const frame of held) this.deliver(frame.data, frame.binary);
  }

  /** Bad frames for `faults.garbage()`. Malformed events consume a seqnum like real ones would. */
  garbage(kinds: readonly GarbageKind[]): void {
    if (this.sid === undefined) return;
    for (const kind of kinds) {
      const header = `${XML_DECLARATION}<Event seqnum="${this.seq}" sid="${this.sid}" timestamp="${formatTimestamp(new Date(), this.ctx.offsetMinutes, this.ctx.micros())}">`;
      switch (kind) {
        case 'xml':
          this.seq++;
          this.sendXml(`${header}<control>ST</control><action uom="100" prec="0">255</action><node>`);
          break;
        case 'ampersand':
          this.seq++;
          this.sendXml(
            `${header}<control>_7</control><action>1</action><node></node><eventInfo>NUM.107=24&VAL.111=1</eventInfo></Event>`,
          );
          break;
        case 'binary':
          this.deliver(Buffer.from([0x00, 0x9f, 0x92, 0x96, 0xff, 0xfe, 0x01]), true);
          break;
        case 'utf8': {
          this.seq++;
          const xml = `${header}<control>_7</control><action>1</action><node></node><eventInfo><![CDATA[bad byte: @]]></eventInfo></Event>`;
          const text = this.path === 'api' ? wrapEnvelope(xml) : xml;
          // 0xC3 0x28 is an invalid two-byte sequence: put it where the '@' placeholder is.
          const at = text.lastIndexOf('@');
          this.deliver(
            Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xc3, 0x28]), Buffer.from(text.slice(at + 1))]),
            false,
          );
          break;
        }
      }
    }
  }

  /** Stop every timer. Runs once, on the socket's `close`. */
  dispose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.queued = [];
    clearTimeout(this.replayTimer);
    clearTimeout(this.waitTimer);
    clearInterval(this.heartbeatTimer);
    this.replayTimer = this.waitTimer = this.heartbeatTimer = undefined;
    this.held = [];
    socketClosed(this.ctx.stats, this.client);
  }
}
