import { performance } from 'node:perf_hooks';
import { compareWithTruth } from '../../src/simulator';
import { sleep, until } from './resources';
import type { SimSlot, SoakContext } from './types';

/** No client ever had two sockets at once: per the simulator (WebSockets) and per its TCP tap. */
export function checkSockets(ctx: SoakContext): void {
  for (const slot of ctx.sims) {
    for (const [client, peak] of slot.sim.stats.peakOpenPerClient) {
      if (peak > 1) {
        ctx.result.doubleSockets++;
        ctx.violate(`${client}: ${peak} WebSockets open at once`);
        slot.sim.stats.peakOpenPerClient.set(client, 1); // count each occurrence once
      }
    }
  }
  for (const w of ctx.watched) {
    if (w.tap.peak > 1) {
      ctx.result.doubleSockets++;
      ctx.violate(`${w.id}: ${w.tap.peak} TCP connections open at once`);
    }
    w.tap.resetPeak();
  }
}

/** Mirror vs truth, after flushing what is in flight with a sentinel change. */
export async function checkMirrors(ctx: SoakContext): Promise<void> {
  for (const slot of ctx.sims) slot.sim.setLiveEvents(false);
  for (const slot of ctx.sims) {
    const value = String(++slot.sentinel);
    slot.sim.emitChange(slot.sentinelNode, 'GV99', value);
    const mine = ctx.watched.filter((w) => w.sim === slot);
    const arrived = await until(
      () => mine.every((w) => w.stream.mirror.nodes.get(slot.sentinelNode)?.get('GV99')?.value === value),
      5000,
    );
    if (!arrived) ctx.violate(`sim ${slot.index}: sentinel change never reached every stream`);
    const truth = slot.sim.truth();
    for (const w of mine) {
      const { mismatches: bad, samples } = compareWithTruth(w.stream.mirror.nodes, truth, 3);
      if (bad > 0) {
        ctx.result.mirrorMismatches += bad;
        ctx.violate(`${w.id}: ${bad} mirror mismatches, e.g. ${samples.join('; ')}`);
      }
    }
  }
  for (const slot of ctx.sims) slot.sim.setLiveEvents({ intervalMs: 5000, commands: true });
}

/** Live changes the stream must not lose, sent while a fault is in progress. */
export function liveBurst(ctx: SoakContext, slot: SimSlot, n: number): void {
  const addresses = [...slot.sim.house.nodes.keys()];
  for (let i = 0; i < n; i++) {
    const address = ctx.rng.pick(addresses);
    const node = slot.sim.house.nodes.get(address);
    if (!node || !node.properties.has('ST')) continue;
    slot.sim.emitChange(address, 'ST', ctx.rng.int(0, 255));
  }
}

/** Throughout a fault window: live changes at random moments. */
export async function duringFault(ctx: SoakContext, slot: SimSlot, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    liveBurst(ctx, slot, ctx.rng.int(1, 4));
    await sleep(ctx.rng.int(10, 80));
  }
}
