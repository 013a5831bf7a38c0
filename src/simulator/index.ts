/**
 * `iox-event-stream/simulator`: an eisy-like controller on a real WebSocket server, for tests and
 * for trying an app without hardware. Start one with {@link startSimulator}.
 *
 * @module iox-event-stream/simulator
 */
export { startSimulator } from './server';
export type { Simulator, SimulatorOptions, LiveEventsOptions, TokenFrameShape } from './api';
export type { SimulatorFaults, GarbageKind } from './faults';
export type { SimulatorStats } from './stats';
export type { SimulatorCredentials } from './httpApi';
export type { SessionInfo, SessionState, StreamPath } from './session';
export type { House, SimNode, SimProperty, SimProgram, SimVariable, PropertyValue, NodeKind } from './house';
export { COMMAND_CONTROLS, isPropertyControl } from './house';
export { compareWithTruth, type MirrorComparison, type NodeMirrorLike, type MirrorEntryLike } from './compare';
export { createPrng, type Prng } from './prng';
export type { EventParts } from './wire';
export type { ValueModel } from './formats';
export { decodeJwtPayload } from './jwt';
