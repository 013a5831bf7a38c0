import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { isPropertyControl, type PropertyValue } from '../../src/simulator';

/** The real capture, read in place from the shared folder next to the repo (never copied in). */
export const CAPTURE = resolve(__dirname, '../../../shared/fixtures/eisy6/ws-frames.jsonl');

/**
 * Whether the capture is there. Locally a missing capture skips its tests; under CI it must not
 * silently pass, so the caller turns a missing file into a failing test.
 */
export const captureAvailable = existsSync(CAPTURE);

export interface Frame {
  data: Buffer;
  isBinary: boolean;
  text: string;
  at: number;
}

/** A bare `ws` client that records everything it sees. */
export class TestClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly errors: Array<Error & { code?: string }> = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** HTTP status of a refused upgrade (with its headers). */
  readonly refused: Promise<{ status: number; headers: Record<string, unknown> }>;
  private listeners = new Set<() => void>();

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.opened = new Promise((res) => this.ws.once('open', () => res()));
    this.closed = new Promise((res) =>
      this.ws.once('close', (code, reason) => {
        res({ code, reason: reason.toString() });
        this.notify();
      }),
    );
    this.refused = new Promise((res) =>
      this.ws.once('unexpected-response', (req, response) => {
        res({ status: response.statusCode ?? 0, headers: response.headers });
        response.resume();
        req.destroy();
      }),
    );
    this.ws.on('error', (err) => this.errors.push(err));
    this.ws.on('message', (data: Buffer, isBinary) => {
      this.frames.push({ data, isBinary, text: data.toString('utf8'), at: performance.now() });
      this.notify();
    });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolve once `cond()` holds (checked on every frame and on close); reject after `timeoutMs`. */
  until(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
    return new Promise((res, rej) => {
      const check = (): void => {
        if (cond()) {
          clearTimeout(timer);
          this.listeners.delete(check);
          res();
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        rej(new Error(`timed out waiting for ${what} (${this.frames.length} frames)`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /** Resolve when a pong comes back; `false` if none within `timeoutMs`. */
  roundTrip(timeoutMs = 1000): Promise<boolean> {
    return new Promise((res) => {
      const timer = setTimeout(() => {
        this.ws.off('pong', onPong);
        res(false);
      }, timeoutMs);
      const onPong = (): void => {
        clearTimeout(timer);
        res(true);
      };
      this.ws.once('pong', onPong);
      this.ws.ping();
    });
  }

  /** Text of each frame, the XML unwrapped from a JSON envelope when there is one. */
  xml(): string[] {
    return this.frames
      .filter((f) => !f.isBinary)
      .map((f) => unwrap(f.text))
      .filter((x): x is string => x !== undefined);
  }

  async shutdown(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.terminate();
    await this.closed;
  }
}

export function unwrap(text: string): string | undefined {
  if (text.startsWith('<')) return text;
  try {
    const env = JSON.parse(text) as { type?: string; data?: string };
    return env.type === 'event' ? env.data : undefined;
  } catch {
    return undefined;
  }
}

export const wsUrl = (base: string, path: string): string => `${base.replace(/^http/, 'ws')}${path}`;
export const basic = (user: string, pass: string): string =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** Exact frame layout of a real eisy (see fixtures): declaration, attribute order, no whitespace. */
export const FRAME_RE =
  /^<\?xml version="1\.0" encoding="UTF-8"\?><Event seqnum="(\d+)" sid="(uuid:\d+)" timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d"><control>([^<]+)<\/control><action(?: uom="[^"]+" prec="\d+")?>([^<]*)<\/action><node>([^<]*)<\/node><eventInfo>.*<\/eventInfo>(?:<fmtAct>[^<]*<\/fmtAct><fmtName>[^<]*<\/fmtName>)?<\/Event>$/s;

export interface Fields {
  seqnum: number;
  sid: string;
  control: string;
  action: string;
  uom?: string;
  prec?: string;
  node: string;
  fmtAct?: string;
}

/** Independent (test-side) parse of one frame. */
export function fields(xml: string): Fields {
  const get = (re: RegExp): string | undefined => re.exec(xml)?.[1];
  const ent = (s: string | undefined): string | undefined =>
    s
      ?.replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
  return {
    seqnum: Number(get(/seqnum="(\d+)"/)),
    sid: get(/sid="([^"]*)"/) ?? '',
    control: get(/<control>([^<]*)</) ?? '',
    action: get(/<action[^>]*>([^<]*)</) ?? '',
    uom: get(/<action[^>]*uom="([^"]*)"/),
    prec: get(/<action[^>]*prec="([^"]*)"/),
    node: get(/<node>([^<]*)</) ?? '',
    fmtAct: ent(get(/<fmtAct>([^<]*)</)),
  };
}

/** A client-side mirror built the obvious way: last property frame per node and control wins. */
export function mirrorOf(xmls: readonly string[]): Map<string, Map<string, PropertyValue>> {
  const mirror = new Map<string, Map<string, PropertyValue>>();
  for (const xml of xmls) {
    const f = fields(xml);
    if (!isPropertyControl(f.control, f.node)) continue;
    const v: PropertyValue = { value: f.action };
    if (f.uom !== undefined) v.uom = f.uom;
    if (f.prec !== undefined) v.prec = f.prec;
    if (f.fmtAct !== undefined) v.formatted = f.fmtAct;
    let node = mirror.get(f.node);
    if (!node) mirror.set(f.node, (node = new Map<string, PropertyValue>()));
    node.set(f.control, v);
  }
  return mirror;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
