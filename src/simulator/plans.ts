import { programParts, propertyParts, variableParts } from './eventParts';
import type { House } from './house';
import type { Prng } from './prng';
import type { CapturedFrame } from './replayFile';
import type { ReplayStep, Session } from './session';

/**
 * Seeded replay timing that looks like the real capture (425 frames in 1.67 s): a first frame after
 * ~50 ms, then bursts of frames in the same instant separated by 7-11 ms gaps and now and then a
 * longer 15-35 ms pause (the capture's largest gap is 53 ms). Returns one offset (ms) per frame.
 */
export function burstSchedule(count: number, prng: Prng, speed: number): number[] {
  const out: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    if (i === 0) t += prng.int(45, 60);
    else if (i === 1) t += prng.int(40, 53);
    else if (prng.chance(0.03)) t += prng.int(15, 35);
    else if (prng.chance(0.36)) t += prng.int(7, 11);
    out.push(t / speed);
  }
  return out;
}

/**
 * The replay of a generated house, in the real controller's order: system status first (`_28`
 * Matter, `_5`, `_1` key, programs, variables, `_26`, the last `_0`, a `_7` log line), then every
 * node property. It is the status at the moment the subscription began (the plan is built then),
 * each frame stamped with its last-change time, as in the real capture: `_5` and the last `_0` are
 * stamped at the subscription itself. Live changes during the replay are queued behind it by the
 * session, so a replayed value never overwrites a newer live one.
 */
export function generatedPlan(
  house: House,
  bootAt: Date,
  offsetMinutes: number,
  heartbeatAction: string,
  prng: Prng,
  speed: number,
): ReplayStep[] {
  const subscribedAt = new Date();
  const sends: Array<(s: Session) => void> = [
    (s) =>
      s.sendEvent(
        {
          control: '_28',
          action: '1.3',
          node: '',
          eventInfo:
            '<matter loglevel="0" interviewtimeout="0" relaxdelay="0" relaxdelaydefault="1" connected="true" />',
        },
        bootAt,
      ),
    (s) => s.sendEvent({ control: '_5', action: '0', node: '' }, subscribedAt),
    (s) => s.sendEvent({ control: '_5', action: '1', node: '' }, subscribedAt),
    (s) => s.sendEvent({ control: '_1', action: '1', node: '' }, bootAt),
    (s) => s.sendEvent({ control: '_1', action: '2', node: '', eventInfo: house.key }, bootAt),
  ];
  for (const program of house.programs.values()) {
    const parts = programParts(program, offsetMinutes);
    const changedAt = program.changedAt;
    sends.push((s) => s.sendEvent(parts, changedAt));
  }
  for (const action of ['6', '7'] as const) {
    for (const v of house.variables.values()) {
      const parts = variableParts(v, action, offsetMinutes);
      const changedAt = v.changedAt;
      sends.push((s) => s.sendEvent(parts, changedAt));
    }
  }
  sends.push(
    (s) => s.sendEvent({ control: '_26', action: '2', node: '' }, bootAt),
    (s) => s.sendEvent({ control: '_0', action: heartbeatAction, node: '' }, subscribedAt),
    (s) =>
      s.sendEvent(
        { control: '_7', action: '1', node: '', eventInfo: '<![CDATA[U7 Rest:  submitCmd([4101],[DON],[<NULL>])]]>' },
        bootAt,
      ),
  );
  for (const node of house.nodes.values()) {
    for (const [control, p] of node.properties) {
      const parts = propertyParts(node.address, control, p);
      const changedAt = p.changedAt;
      sends.push((s) => s.sendEvent(parts, changedAt));
    }
  }
  const times = burstSchedule(sends.length, prng, speed);
  return sends.map((run, i) => ({ atMs: times[i], run }));
}

/**
 * The replay of a captured file with its own timing scaled by `speed`. Non-event text frames (e.g.
 * `{"type":"spolisy",...}`) exist only on the modern path and are dropped on the legacy one.
 */
export function capturePlan(frames: readonly CapturedFrame[], api: boolean, speed: number): ReplayStep[] {
  const steps: ReplayStep[] = [];
  for (const frame of frames) {
    const atMs = frame.atMs / speed;
    if (frame.xml !== undefined) {
      const xml = frame.xml;
      steps.push({ atMs, run: (s) => s.sendCaptured(xml) });
    } else if (frame.binary !== undefined) {
      const bytes = frame.binary;
      steps.push({ atMs, run: (s) => s.deliver(bytes, true) });
    } else if (frame.text !== undefined && api) {
      const text = frame.text;
      steps.push({ atMs, run: (s) => s.deliver(text, false) });
    }
  }
  return steps;
}
