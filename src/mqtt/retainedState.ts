/**
 * The bridge's retained state topics: one entry per topic, the payload the broker holds or will
 * hold. A write whose content equals the entry publishes nothing (a controller reconnect that
 * changes nothing costs no publish); while the broker is unreachable entries keep their latest
 * value and removals wait, and a (re)connect republishes all of them, because a restarted broker
 * may have lost its retained messages.
 */
import type { MqttBridgeStats } from './api';
import { MAX_TOPIC_BYTES, statePayload } from './topics';

/** One state topic's entry: what the broker holds (or will hold after the next connect). */
interface StateEntry {
  content: string;
  payload: string;
  /** For node topics: the mirror key, to find entries the mirror dropped. */
  node?: string;
  control?: string;
}

/** How the state topics reach the broker, and the bridge's counters they update. */
export interface StateSink {
  /** True while a publish reaches the broker now (bridge running, client connected). */
  connected(): boolean;
  /** Publish one retained state payload (`''` clears the topic). */
  publish(topic: string, payload: string): void;
  /** Whether state topics are retained: without retain there is nothing to clear. */
  readonly retain: boolean;
  readonly stats: MqttBridgeStats;
}

/** Every state topic's entry, in first-seen order, and the clears waiting for the broker. */
export class RetainedState {
  readonly #entries = new Map<string, StateEntry>();
  /** Retained topics to clear once the broker is reachable again. */
  readonly #pendingClears = new Set<string>();
  readonly #sink: StateSink;

  constructor(sink: StateSink) {
    this.#sink = sink;
  }

  /** State topics known. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether `topic` is a state topic the bridge holds now. */
  has(topic: string): boolean {
    return this.#entries.has(topic);
  }

  /** Sets one state topic; publishes only when the content differs from the entry. */
  set(topic: string, content: string, node?: string, control?: string): void {
    const { stats } = this.#sink;
    const before = this.#entries.get(topic);
    if (before !== undefined && before.content === content) {
      stats.stateUnchanged++;
      return;
    }
    if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES) {
      stats.topicsSkipped++;
      return;
    }
    const { payload } = statePayload(content, Date.now());
    this.#entries.set(topic, { content, payload, node, control });
    this.#pendingClears.delete(topic);
    if (this.#sink.connected()) {
      this.#sink.publish(topic, payload);
      stats.statePublished++;
    }
  }

  /** Clears node topics whose node/control `exists` no longer confirms (end-of-replay sweep, `_3`/`NR`). */
  dropRemovedNodes(exists: (node: string, control: string) => boolean): void {
    for (const [topic, entry] of [...this.#entries]) {
      if (entry.node === undefined || entry.control === undefined) continue;
      if (!exists(entry.node, entry.control)) this.#clear(topic);
    }
  }

  /** Publishes every entry and the waiting clears: the broker may have lost everything. */
  republish(): void {
    const { stats } = this.#sink;
    for (const [topic, entry] of this.#entries) {
      this.#sink.publish(topic, entry.payload);
      stats.stateRepublished++;
    }
    for (const topic of this.#pendingClears) {
      this.#sink.publish(topic, '');
      stats.cleared++;
    }
    this.#pendingClears.clear();
  }

  #clear(topic: string): void {
    if (!this.#entries.delete(topic)) return;
    if (!this.#sink.retain) return;
    if (this.#sink.connected()) {
      this.#sink.publish(topic, '');
      this.#sink.stats.cleared++;
    } else this.#pendingClears.add(topic);
  }
}
