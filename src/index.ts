/**
 * iox-event-stream: a correct-under-failure client for the Universal Devices IoX event stream.
 * @module iox-event-stream
 */
export { createEventStream, EventStream, type StreamStats, type StreamActor } from './stream';
export type { StatusChange, ConnectionStats } from './statusFeed';
export type { EventStreamOptions } from './options';
export { WaitForError, type WaitForOptions } from './waitFor';
export { EventStreamStatus, statusOf } from './machine/status';
export { streamMachine, type StreamContext, type StreamMachineInput } from './machine/streamMachine';
export type { StreamEvent, OpenLink, ConnectInput, ReaderInput, ReaderEvent } from './machine/events';
export type {
  Transport,
  TransportRequest,
  TransportListener,
  TransportConnection,
  OpenedInfo,
} from './services/transport';
export { DEFAULT_POLICY, MAX_TIMER_MS, backoffDelay, type StreamPolicy } from './machine/policy';
export * from './auth';
export {
  IoxError,
  HandshakeError,
  ConnectError,
  TlsError,
  AuthTransientError,
  AuthRejectedError,
  summarizeError,
  type ErrorSummary,
} from './errors';
export { defaultLogger, silentLogger, type Logger } from './logger';
export * from './dispatcher';
