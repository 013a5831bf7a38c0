import type { EventStream } from '../../src';
import type { Prng, Simulator } from '../../src/simulator';
import type { SlowTokenAuth } from './streams';
import type { TcpTap } from './tap';

export interface SoakOptions {
  /** Seed of the fault schedule (and of the simulators' houses / live events). */
  seed?: number;
  /** Stop scheduling new faults after this long (the round in progress finishes). */
  durationMs: number;
  /** Simulators (fault domains). Default 2. */
  simulators?: number;
  /** Streams per simulator. Default 2. */
  streamsPerSimulator?: number;
  /** Simulator time compression. Default 60 (heartbeat every 0.5 s, promise 1.5 s). */
  speed?: number;
  /** Progress lines (one per round) go here. */
  log?: (line: string) => void;
}

export interface SoakResult {
  rounds: number;
  faults: number;
  reconnects: number;
  mirrorMismatches: number;
  /** Times a client had two sockets at once: seen by the simulator (WebSockets) or its TCP tap. */
  doubleSockets: number;
  maxDetectionLagMs: number;
  detections: number;
  leakedHandles: number;
  /** Longest `stop()` seen, ms (every one must resolve within the close grace, about 1 s). */
  maxStopMs: number;
  /** Every broken rule, in words (empty on success). */
  violations: string[];
  faultCounts: Record<string, number>;
  elapsedMs: number;
  seed: number;
}

export interface SimSlot {
  index: number;
  sim: Simulator;
  promiseMs: number;
  sentinel: number;
  sentinelNode: string;
}

/** One stream under observation. */
export interface Watched {
  id: string;
  sim: SimSlot;
  stream: EventStream;
  auth: SlowTokenAuth;
  /** This client's TCP view of the controller (and its hostile network). */
  tap: TcpTap;
  /** Send the next connection to the tap's listener that never answers TLS. */
  toStalledTls: boolean;
  delivered: number;
  /** Failure count expected at the next LOST (null: unknown, e.g. right after START). */
  expectFailures: number | null;
  lostAt: number;
  lostFailures: number;
  /** Set while a stall is being watched: when it began. */
  stallSince: number | null;
  detectionPending: boolean;
  /** A loss happened since the last CONNECTED. */
  lostSinceConnected: boolean;
}

/** What the faults and checks share. */
export interface SoakContext {
  rng: Prng;
  sims: SimSlot[];
  watched: Watched[];
  result: SoakResult;
  perSim: number;
  violate: (what: string) => void;
}
