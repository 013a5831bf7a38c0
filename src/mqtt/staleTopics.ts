import type { MqttClient } from 'mqtt';
import type { Logger } from '../logger';

/**
 * Retained node topics that a broker still holds from an earlier run of the bridge, for nodes the
 * controller removed while no bridge was running. The running bridge clears a node's topics when
 * the mirror drops it (end-of-replay sweep, `_3`/`NR`), but a node removed while the bridge was
 * down is in no mirror: without this, its retained topics stay forever and a dashboard keeps
 * showing a device that no longer exists.
 *
 * On each connect the bridge subscribes to its own node topics. Every retained message the broker
 * hands over for a topic the bridge does not hold is a candidate; once the stream is CONNECTED
 * (its mirror complete, so a missing topic is really gone) each candidate still missing is cleared.
 */
export class StaleNodeTopics {
  /** The subscription filter for the bridge's node topics: `BASE/node/+/+`. */
  readonly filter: string;
  readonly #prefix: string;
  readonly #candidates = new Set<string>();
  readonly #isCurrent: (topic: string) => boolean;
  readonly #mirrorComplete: () => boolean;
  readonly #clear: (topic: string) => void;

  /**
   * @param base - the bridge's base topic.
   * @param isCurrent - whether the bridge holds `topic` as a state topic now.
   * @param mirrorComplete - whether the stream is CONNECTED and the broker reachable.
   * @param clear - publish the empty retained payload that removes `topic` from the broker.
   */
  constructor(
    base: string,
    isCurrent: (topic: string) => boolean,
    mirrorComplete: () => boolean,
    clear: (topic: string) => void,
  ) {
    this.filter = `${base}/node/+/+`;
    this.#prefix = `${base}/node/`;
    this.#isCurrent = isCurrent;
    this.#mirrorComplete = mirrorComplete;
    this.#clear = clear;
  }

  /** Subscribe to the node topics (on each connect: the broker then hands over what it retains). */
  subscribe(client: MqttClient, logger: Logger): void {
    // MQTT 5 can spare the bridge its own publishes coming back (no local); 3.1.1 cannot.
    client.subscribe(this.filter, { qos: 0, nl: client.options.protocolVersion === 5 }, (error) => {
      if (error) logger.debug(`mqtt: subscribing to the node topics failed: ${error.message}`);
    });
  }

  /** MQTT.js `message` listener: only what the broker held when the bridge subscribed (retain set). */
  readonly onMessage = (topic: string, payload: Buffer, packet: { retain?: boolean }): void => {
    if (packet.retain === true && payload.length > 0 && topic.startsWith(this.#prefix)) this.retained(topic);
  };

  /** The broker handed over a retained message on `topic` (one of the bridge's node topics). */
  retained(topic: string): void {
    if (this.#isCurrent(topic)) return;
    this.#candidates.add(topic);
    this.sweep();
  }

  /** Clears every candidate the complete mirror does not have; until then, they wait. */
  sweep(): void {
    if (!this.#mirrorComplete()) return;
    for (const topic of this.#candidates) {
      this.#candidates.delete(topic);
      if (!this.#isCurrent(topic)) this.#clear(topic);
    }
  }
}
