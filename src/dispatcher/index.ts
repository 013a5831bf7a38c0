/**
 * The dispatcher: parse IoX event frames into typed events, keep a live status mirror and route
 * events to typed subscriptions. Everything public is re-exported from here.
 */
export { EventDispatcher } from './dispatcher';
export type { DispatcherStats, EventDispatcherOptions, Listener, PropertyFilter } from './dispatcher';
export { parseEventFrame } from './parse';
export type { DropReason } from './envelope';
export {
  describe,
  LIFECYCLE_VERBS,
  NODE_COMMANDS,
  NODE_PROPERTIES,
  PROGRAM_EVALUATIONS,
  PROGRAM_RUN_STATES,
  REGISTRY_INVALIDATING_VERBS,
  SYSTEM_CONFIG_ACTIONS,
  SYSTEM_CONTROLS,
  SYSTEM_STATUS_ACTIONS,
  TRIGGER_ACTIONS,
  VARIABLE_TYPES,
} from './codes';
export type { LifecycleVerb, SystemControl } from './codes';
export {
  decodeHeartbeat,
  decodeLifecycle,
  decodeProgramStatus,
  decodeSystemStatus,
  decodeVariable,
  decodeVariableTableChange,
} from './decoders';
export { variableKey } from './mirror';
export type { ProgramState, PropertyState, StatusMirrorView, VariableState } from './mirror';
export type {
  DeliveryInfo,
  Heartbeat,
  IoxEvent,
  NodeLifecycle,
  ProgramEvaluation,
  ProgramRunState,
  ProgramStatus,
  PropertyChange,
  SequenceGap,
  SystemStatus,
  VariableChange,
  VariableTableChange,
  VariableType,
} from './types';
export { parseControllerTime, ReplayClock } from './replayClock';
export type {
  ClockFallbackReason,
  ReplayClockStats,
  ReplayReference,
  ReplayVerdict,
  SubscriptionStart,
} from './replayClock';
