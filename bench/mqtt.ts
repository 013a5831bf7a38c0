/**
 * The MQTT bridge (issue 16), against a real broker on loopback (Debian's mosquitto in its own
 * process when installed, else Aedes in this process) and the simulator:
 *
 * 1. throughput: live events/s seen by an MQTT subscriber on `<base>/event` through the bridge,
 *    against the same stream's own `onEvent` listener without a bridge (same run, alternating);
 * 2. publishes caused by controller reconnects with an unchanged house (goal 0 state publishes);
 * 3. memory while the broker is down for a minute (`--down-seconds`) under a busy house;
 * 4. latency from the simulator writing a frame to the subscriber receiving its event, p50/p99,
 *    next to the stream's own listener.
 *
 * Alone: node --expose-gc --import tsx bench/mqtt.ts [--runs 5] [--mqtt-events 5000] [--down-seconds 60]
 */
import { performance } from 'node:perf_hooks';
import { BASE, changes, makeBroker, rig, type Broker, type Rig } from './mqttRig';
import { fmt, fmtSummary, numArg, percentile, runStandalone, settleGc, sleep, summarize, table, until } from './util';

/** One flood: events/s at the receiver (to its last event) and the share of the `count` that arrived. */
interface FloodResult {
  rate: number;
  delivered: number;
}

/**
 * Emits `count` changes in batches of 200 per I/O turn; waits until all arrived or none came for
 * 3 s (a broker may drop for a slow subscriber; then `delivered` < 1 says so).
 */
async function flood(r: Rig, count: number, viaMqtt: boolean): Promise<FloodResult> {
  let received = 0;
  let lastAt = 0;
  const events = `${BASE}/event`;
  const onMessage = (topic: string): void => {
    if (topic !== events) return;
    received++;
    lastAt = performance.now();
  };
  const off = viaMqtt
    ? (r.sub!.client.on('message', onMessage), () => r.sub!.client.off('message', onMessage))
    : r.stream.onEvent((_e, info) => {
        if (info.replay) return;
        received++;
        lastAt = performance.now();
      });
  const list = changes(r.sim, count);
  const started = performance.now();
  for (let i = 0; i < list.length; i += 200) {
    for (const [node, value] of list.slice(i, i + 200)) r.sim.emitChange(node, 'ST', value);
    await new Promise((resolve) => setImmediate(resolve));
  }
  let seen = -1;
  while (received < count && received !== seen) {
    seen = received;
    await sleep(3000);
  }
  off();
  const n = Math.min(received, count);
  return { rate: n / ((lastAt - started) / 1000), delivered: n / count };
}

async function benchThroughput(broker: Broker, runs: number, count: number): Promise<string> {
  await broker.start();
  const alone = await rig(undefined);
  const bridged = await rig(broker);
  const streamRates: number[] = [];
  const bridgeRates: number[] = [];
  const ratios: number[] = [];
  const delivered: number[] = [];
  try {
    await flood(bridged, 500, true); // warm-up
    await flood(alone, 500, false);
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? ['alone', 'bridged'] : ['bridged', 'alone'];
      let s = 0;
      let b = 0;
      for (const which of order) {
        if (which === 'alone') s = (await flood(alone, count, false)).rate;
        else {
          const result = await flood(bridged, count, true);
          b = result.rate;
          delivered.push(result.delivered);
        }
      }
      streamRates.push(s);
      bridgeRates.push(b);
      ratios.push(b / s);
    }
  } finally {
    await alone.close();
    await bridged.close();
    await broker.stop();
  }
  const ss = summarize(streamRates);
  const bs = summarize(bridgeRates);
  return [
    `#### Throughput: ${fmt(count)} live changes per run, ${runs} runs, broker: ${broker.kind}`,
    '',
    table(
      ['receiver', 'events/s median', 'min – max', 'vs stream'],
      [
        ['EventStream `onEvent` (no bridge)', fmt(ss.median), `${fmt(ss.min)} – ${fmt(ss.max)}`, '1.00x'],
        [
          'MQTT subscriber on `<base>/event` through the bridge (QoS 1)',
          fmt(bs.median),
          `${fmt(bs.min)} – ${fmt(bs.max)}`,
          fmtSummary(summarize(ratios), 2, 'x'),
        ],
      ],
      ['l', 'r', 'r', 'r'],
    ),
    '',
    `Each change is one frame from the simulator; through the bridge it is also one state publish (the value changed) and one event publish. Share of events the subscriber received: ${fmtSummary(summarize(delivered.map((d) => d * 100)), 1, '%')} (the bridge dropped none; a broker may drop for a slow subscriber).`,
  ].join('\n');
}

async function benchReconnects(broker: Broker, reconnects: number): Promise<string> {
  await broker.start();
  const r = await rig(broker);
  const stateRe = new RegExp(`^${BASE}/(node|program|variable)/`);
  const rows: string[][] = [];
  try {
    for (let i = 0; i < reconnects; i++) {
      const mark = r.sub!.seen.length;
      const published = r.bridge!.stats.statePublished;
      const connected = r.stream.stats.connectedCount;
      r.sim.faults.drop();
      await until(() => r.stream.stats.connectedCount > connected, 15_000, 'reconnect');
      await until(() => r.sub!.last(`${BASE}/availability`) === 'online', 10_000, 'online');
      await sleep(300);
      const seen = r.sub!.since(mark);
      rows.push([
        String(i + 1),
        fmt(r.bridge!.stats.statePublished - published),
        fmt(seen.filter((m) => stateRe.test(m.topic)).length),
        fmt(seen.filter((m) => m.topic === `${BASE}/status` || m.topic === `${BASE}/availability`).length),
        fmt(r.bridge!.stats.stateTopics),
      ]);
    }
  } finally {
    await r.close();
    await broker.stop();
  }
  return [
    `#### Controller reconnects with an unchanged house (${reconnects} drops, broker: ${broker.kind})`,
    '',
    table(
      ['reconnect', 'state publishes (bridge)', 'state messages (subscriber)', 'status + availability', 'state topics'],
      rows,
      ['r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Goal: 0 state publishes per reconnect. Each replay rewrites every mirror entry with the same content; the bridge compares content (not the receive time) and publishes nothing.`,
  ].join('\n');
}

async function benchOutage(broker: Broker, downSeconds: number): Promise<string> {
  await broker.start();
  // A busy house: a live change every ~10 ms (simulator at speed 1), with the command frames.
  const r = await rig(broker, { speed: 1, liveEvents: { intervalMs: 10, commands: true } });
  const samples: Array<{ t: number; heap: number; queued: number; dropped: number; topics: number }> = [];
  let restoreMs!: number;
  let eventsDuring!: number;
  try {
    await sleep(2000);
    await settleGc();
    const baseHeap = process.memoryUsage().heapUsed;
    const parsedBefore = r.stream.dispatcher.stats.eventsParsed;
    await broker.stop();
    await until(() => !r.bridge!.stats.brokerConnected, 10_000, 'bridge to notice');
    const started = performance.now();
    const step = Math.max(1, Math.floor(downSeconds / 6));
    for (let t = 0; t <= downSeconds; t += step) {
      if (t > 0) await sleep(step * 1000);
      await settleGc();
      const s = r.bridge!.stats;
      samples.push({
        t: Math.round((performance.now() - started) / 1000),
        heap: process.memoryUsage().heapUsed - baseHeap,
        queued: s.eventsQueued,
        dropped: s.eventsDropped,
        topics: s.stateTopics,
      });
    }
    eventsDuring = r.stream.dispatcher.stats.eventsParsed - parsedBefore;
    const back = performance.now();
    const mark = r.sub!.seen.length;
    await broker.start();
    await until(
      () => r.sub!.since(mark).some((m) => m.topic === `${BASE}/availability` && m.payload === 'online'),
      15_000,
      'republish',
    );
    restoreMs = performance.now() - back;
  } finally {
    await r.close();
    await broker.stop();
  }
  return [
    `#### Broker down for ${downSeconds} s under a busy house (~100 live frames/s; maxQueuedEvents 100000 here, default 1000; broker: ${broker.kind})`,
    '',
    table(
      ['seconds down', 'heap vs before (MiB, after GC)', 'events queued', 'events dropped', 'state topics'],
      samples.map((s) => [String(s.t), (s.heap / 2 ** 20).toFixed(1), fmt(s.queued), fmt(s.dropped), fmt(s.topics)]),
      ['r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `${fmt(eventsDuring)} frames arrived while the broker was down. State is one entry per topic (the count stays flat); events wait in the bounded queue, past it the oldest are dropped and counted. Broker back: \`online\` again after ${fmt(restoreMs)} ms (MQTT.js reconnect period 200 ms here, 1000 ms by default).`,
  ].join('\n');
}

async function benchLatency(broker: Broker, count: number): Promise<string> {
  await broker.start();
  const r = await rig(broker);
  const viaStream: number[] = [];
  const viaMqtt: number[] = [];
  try {
    const list = changes(r.sim, count);
    for (const [node, value] of list) {
      const sent = performance.now();
      let streamAt = NaN;
      const off = r.stream.onProperty(
        () => {
          streamAt = performance.now();
        },
        { node, control: 'ST' },
      );
      let mqttAt = NaN;
      const onMessage = (topic: string, payload: Buffer): void => {
        if (topic === `${BASE}/event` && payload.includes(`"action":"${value}"`) && payload.includes(node))
          mqttAt = performance.now();
      };
      r.sub!.client.on('message', onMessage);
      r.sim.emitChange(node, 'ST', value);
      await until(() => !Number.isNaN(mqttAt) && !Number.isNaN(streamAt), 5000, 'delivery', 0);
      r.sub!.client.off('message', onMessage);
      off();
      viaStream.push(streamAt - sent);
      viaMqtt.push(mqttAt - sent);
      await sleep(2);
    }
  } finally {
    await r.close();
    await broker.stop();
  }
  const row = (name: string, xs: number[]): string[] => [
    name,
    fmt(percentile(xs, 50), 2),
    fmt(percentile(xs, 99), 2),
    fmt(Math.max(...xs), 2),
  ];
  return [
    `#### Latency, frame written by the simulator → received (${count} changes one at a time, broker: ${broker.kind})`,
    '',
    table(
      ['receiver', 'p50 ms', 'p99 ms', 'max ms'],
      [row('EventStream `onProperty`', viaStream), row('MQTT subscriber on `<base>/event` (bridge QoS 1)', viaMqtt)],
      ['l', 'r', 'r', 'r'],
    ),
  ].join('\n');
}

/** All four, as markdown. */
export async function benchMqtt(argv: readonly string[] = process.argv): Promise<string> {
  const runs = Math.max(5, numArg('runs', 5, argv));
  const count = numArg('mqtt-events', 5000, argv);
  const downSeconds = numArg('down-seconds', 60, argv);
  const out = ['### MQTT bridge', ''];
  const broker = await makeBroker();
  try {
    out.push(await benchThroughput(broker, runs, count), '');
    out.push(await benchReconnects(broker, 5), '');
    out.push(await benchOutage(broker, downSeconds), '');
    out.push(await benchLatency(broker, numArg('latency-events', 1000, argv)));
  } finally {
    await broker.dispose();
  }
  return out.join('\n');
}

runStandalone(module, () => benchMqtt());
