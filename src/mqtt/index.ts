/**
 * `iox-event-stream/mqtt`: bridge one event stream into an MQTT broker (MQTT.js), so any number of
 * consumers share the controller's one subscriber slot. The package's root entry never loads
 * `mqtt`; only this subpath does.
 *
 * @module iox-event-stream/mqtt
 */
export { createMqttBridge } from './bridge';
export {
  availabilityWill,
  type MqttBridge,
  type MqttBridgeOptions,
  type MqttBridgeStats,
  type MqttQos,
  type BridgeStream,
} from './api';
export { defaultBaseTopic, uuidFromConfig, type DefaultBaseTopicOptions } from './baseTopic';
export { startEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from './embedded';
export {
  ONLINE,
  OFFLINE,
  MAX_TOPIC_BYTES,
  topicLevel,
  topicsFor,
  normalizeBaseTopic,
  nodeContent,
  programContent,
  variableContent,
  statePayload,
  type Topics,
  type StatePayload,
} from './topics';
