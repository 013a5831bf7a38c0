import { readFileSync } from 'node:fs';
import { inferModel } from './formats';
import { isPropertyControl, type House, type SimNode, type SimProperty } from './house';
import { parseEvent } from './wire';

/**
 * One received frame of a capture, ready to be replayed on either path. `xml` is set for event
 * frames (the legacy path sends it raw, the modern path wraps it); `text` for any other text frame
 * (kept only on the modern path, e.g. `{"type":"spolisy",...}`); `binary` for binary frames.
 */
export interface CapturedFrame {
  /** Milliseconds after the start of the capture (its first line). */
  atMs: number;
  xml?: string;
  text?: string;
  binary?: Buffer;
}

export interface Capture {
  frames: CapturedFrame[];
  /** Node status after every property frame of the capture, in order. */
  house: House;
}

interface CaptureLine {
  direction?: string;
  opcode?: number;
  time?: number;
  data?: string;
}

/**
 * Load a capture in the fixture's jsonl format (`{"direction","opcode","time","data"}` per line).
 * Only `receive` frames are replayed. Binary frames (opcode 2) are assumed base64 in `data`.
 */
export function loadCapture(path: string): Capture {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const frames: CapturedFrame[] = [];
  let t0: number | undefined;
  for (const [index, raw] of lines.entries()) {
    let line: CaptureLine;
    try {
      line = JSON.parse(raw) as CaptureLine;
    } catch {
      throw new Error(`${path}:${index + 1}: not a JSON line`);
    }
    if (typeof line.time !== 'number' || typeof line.data !== 'string')
      throw new Error(`${path}:${index + 1}: missing time or data`);
    t0 ??= line.time;
    if (line.direction !== 'receive') continue;
    const atMs = Math.max(0, (line.time - t0) * 1000);
    if (line.opcode === 2) {
      frames.push({ atMs, binary: Buffer.from(line.data, 'base64') });
      continue;
    }
    frames.push({ atMs, ...classify(line.data) });
  }
  return { frames, house: houseFromFrames(frames) };
}

/** Unwrap a JSON event envelope; keep other envelopes as opaque text; accept raw XML too. */
function classify(data: string): { xml: string } | { text: string } {
  if (data.startsWith('<')) return { xml: data };
  try {
    const env = JSON.parse(data) as { type?: unknown; data?: unknown };
    if (env.type === 'event' && typeof env.data === 'string') return { xml: env.data };
  } catch {
    // Not JSON: pass it through as text, the client has to cope with it anyway.
  }
  return { text: data };
}

function houseFromFrames(frames: readonly CapturedFrame[]): House {
  const nodes = new Map<string, SimNode>();
  for (const frame of frames) {
    if (frame.xml === undefined) continue;
    const ev = parseEvent(frame.xml);
    if (!ev || !isPropertyControl(ev.control, ev.node)) continue;
    const address = ev.node as string;
    let node = nodes.get(address);
    if (!node) {
      node = { address, kind: 'captured', properties: new Map() };
      nodes.set(address, node);
    }
    const parsedTime = ev.timestamp === undefined ? NaN : Date.parse(ev.timestamp);
    const prop: SimProperty = {
      value: ev.action,
      changedAt: Number.isNaN(parsedTime) ? new Date() : new Date(parsedTime),
    };
    if (ev.uom !== undefined) prop.uom = ev.uom;
    if (ev.prec !== undefined) prop.prec = ev.prec;
    if (ev.fmtAct !== undefined) prop.formatted = ev.fmtAct;
    if (ev.fmtName !== undefined) prop.name = ev.fmtName;
    const model = inferModel(ev.control, ev.uom, ev.fmtAct);
    if (model) prop.model = model;
    node.properties.set(ev.control, prop);
  }
  return { nodes, programs: new Map(), variables: new Map(), key: '', generated: false };
}
