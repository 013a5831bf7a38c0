// Why this file is long (over 300 lines) and stays one file: the chart is one literal `setup().createMachine()`
// config that Stately's static extractor (Stately's editor, `tools/stately-extract`) reads whole; split into
// modules, the extractor would lose states, guards and delays it cannot follow across imports (issue #15).
import { and, assign, fromCallback, fromPromise, or, sendTo, setup } from 'xstate';
import { summarizeError, type ErrorSummary } from '../errors';
import type { ConnectInput, OpenLink, ReaderEvent, ReaderInput, StreamEvent } from './events';
import { backoffDelay, DEFAULT_POLICY, timerMs, type StreamPolicy } from './policy';

/**
 * The life of one connection to a controller's event stream, as a statechart.
 *
 * Pure: no sockets, no clocks of its own. The actors (`slotRelease`, `connect`, `refreshAuth`, `reader`) and the
 * actions that touch the outside world (`beginReplay`, `endReplay`, `releaseLink`, `abandonLink`)
 * are declared here with inert placeholders and provided by `createEventStream()`; every timing
 * comes from `context.policy`. Open this file in Stately's editor to see the chart.
 */

/** Input of the machine: the policy, all optional. */
export interface StreamMachineInput {
  /** Timing and retry policy; missing fields take their {@link DEFAULT_POLICY} values. */
  policy?: Partial<StreamPolicy>;
}

/** The chart's context: what it remembers between events. Read it from a snapshot (`stream.actor.getSnapshot().context`). */
export interface StreamContext {
  /** The policy in force: the input's fields over {@link DEFAULT_POLICY}. */
  policy: StreamPolicy;
  /** Consecutive failed attempts (or drops) since the stream was last CONNECTED: drives backoff. */
  failures: number;
  /** This attempt already used its one recovery from a 401. */
  authRecovered: boolean;
  /** The longest silence the controller promises, from its last `_0` heartbeat. */
  heartbeatPromiseMs: number;
  /** The open socket, carried from `connect` to `reader`. */
  link: OpenLink | null;
  /** Why the last attempt or connection ended. Safe to log: it never holds secrets. */
  lastError: ErrorSummary | null;
}

/** A placeholder for work that `createEventStream()` provides. */
function notProvided(name: string): never {
  throw new Error(`streamMachine: '${name}' is provided by createEventStream()`);
}

/** The error carried by an actor's error event. */
function errorOf(event: unknown): unknown {
  return (event as { error?: unknown }).error;
}

function hasCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}

/** A `TlsError` whose certificate failed verification, thrown as is or kept as an auth error's `cause`. */
function isCertificateVerdict(error: unknown): boolean {
  const e = error as { code?: unknown; certificateRejected?: unknown; cause?: unknown } | null;
  if (e?.code === 'TLS_FAILED') return e.certificateRejected === true;
  const cause = e?.cause as { code?: unknown; certificateRejected?: unknown } | null | undefined;
  return cause?.code === 'TLS_FAILED' && cause.certificateRejected === true;
}

function isHttpStatus(error: unknown, status: number): boolean {
  const e = error as { code?: unknown; status?: unknown } | null;
  return e?.code === 'HANDSHAKE_STATUS' && e.status === status;
}

/** The `connect` actor's input: how many attempts failed in a row (the transport's verdicts read it). */
function connectInput({ context }: { context: StreamContext }): ConnectInput {
  return { failures: context.failures };
}

/** The `reader` actor's input: the link the `connect` actor opened (OPEN is only entered with one). */
function readerInput({ context }: { context: StreamContext }): ReaderInput {
  return { link: context.link! };
}

/**
 * The stream's life cycle as an XState v5 statechart: `NOT_STARTED`, `INITIALIZING`, `SYNCING`,
 * `CONNECTED`, `LOST`, `RECONNECTING`, `FAILED`, `STOPPED` (each state tagged with its
 * {@link EventStreamStatus}). Pure: the actors (`connect`, `refreshAuth`, `reader`) are stubs that
 * throw until provided, and timing and policy come in as {@link StreamMachineInput}.
 * `createEventStream()` provides the real actors; open it in Stately to see the chart, or walk it
 * with `xstate/graph` to generate path tests.
 */
export const streamMachine = setup({
  types: {
    context: {} as StreamContext,
    events: {} as StreamEvent,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- XState infers the input type from this assertion
    input: {} as StreamMachineInput,
    tags: {} as
      'NOT_STARTED' | 'INITIALIZING' | 'SYNCING' | 'CONNECTED' | 'LOST' | 'RECONNECTING' | 'FAILED' | 'STOPPED',
  },
  actors: {
    /**
     * Resolves once the controller's subscriber slot is vacant: the previous connection (closing,
     * or destroyed mid-handshake) is gone at the TCP level. Bounded by the close grace (option
     * `closeGraceMs`, 1 s by default), after which the slot destroys a peer that does not answer.
     */
    slotRelease: fromPromise<void, void>(async () => notProvided('slotRelease')),
    /** Opens the WebSocket (auth headers, TLS, opening frame). Resolves with the open link. */
    connect: fromPromise<OpenLink, ConnectInput>(async () => notProvided('connect')),
    /** Asks the auth strategy to repair credentials after a 401. Resolves true to retry once. */
    refreshAuth: fromPromise<boolean, void>(async () => notProvided('refreshAuth')),
    /**
     * Reads the open link: hands every frame to the dispatcher (as replay until told LIVE) and
     * sends FRAME, SOCKET_CLOSED, SOCKET_ERROR. Its clean-up lets go of the link; closing it is
     * OPEN's `releaseLink`.
     */
    reader: fromCallback<ReaderEvent, ReaderInput>(() => notProvided('reader')),
  },
  guards: {
    /** The upgrade was answered with HTTP 401, or the controller closed with 1008 right after the token frame. */
    isUnauthorized: ({ event }) => isHttpStatus(errorOf(event), 401) || hasCode(errorOf(event), 'TOKEN_REJECTED'),
    /** This attempt has not yet used its one 401 recovery. */
    canRecoverAuth: ({ context }) => !context.authRecovered,
    /** The auth strategy says the credentials themselves were rejected. */
    credentialsRejected: ({ event }) => (errorOf(event) as { code?: unknown } | null)?.code === 'AUTH_REJECTED',
    /** A 401 this attempt may still recover from: ask the auth strategy to repair the credentials. */
    shouldRefreshAuth: and(['isUnauthorized', 'canRecoverAuth']),
    /** The certificate failed verification (here or on the auth endpoint): a configuration verdict. */
    certificateRejected: ({ event }) => isCertificateVerdict(errorOf(event)),
    /** A second 401, credentials the strategy says are wrong, or a rejected certificate: retrying cannot help. */
    authHopeless: or(['isUnauthorized', 'credentialsRejected', 'certificateRejected']),
    /** The repair itself met a verdict: credentials rejected, or a rejected certificate. */
    repairHopeless: or(['credentialsRejected', 'certificateRejected']),
    /** `refreshAuth` resolved true: the credentials were repaired. */
    authRepaired: ({ event }) => (event as { output?: unknown }).output === true,
    /** `maxAttempts` consecutive failures without reaching CONNECTED. */
    attemptsExhausted: ({ context }) => context.failures >= context.policy.maxAttempts,
    /** The frame is a `_0` heartbeat carrying the controller's promised silence. */
    isHeartbeat: ({ event }) => event.type === 'FRAME' && event.heartbeatSec !== undefined,
  },
  actions: {
    /** A new socket is about to replay the controller's status (provided: marks the mirror). */
    beginReplay: () => {},
    /** The replay is over (provided: sweeps mirror entries the replay did not confirm). */
    endReplay: () => {},
    /** From now on the reader delivers frames as live, not replay. */
    goLive: sendTo('reader', { type: 'LIVE' }),
    /** Close the link politely: a close frame, destroyed if the peer does not answer within the close grace (provided). */
    releaseLink: () => {},
    /** Destroy a link known to be dead at once, without a closing handshake (provided). */
    abandonLink: () => {},
    storeLink: assign({ link: ({ event }) => (event as unknown as { output: OpenLink }).output }),
    forgetLink: assign({ link: null }),
    countFailure: assign({ failures: ({ context }) => context.failures + 1 }),
    resetFailures: assign({ failures: 0 }),
    markAuthRecovered: assign({ authRecovered: true }),
    clearAuthRecovered: assign({ authRecovered: false }),
    rememberHeartbeatPromise: assign({
      heartbeatPromiseMs: ({ context, event }) =>
        event.type === 'FRAME' && event.heartbeatSec !== undefined
          ? event.heartbeatSec * 1000
          : context.heartbeatPromiseMs,
    }),
    recordError: assign({ lastError: ({ event }) => summarizeError(errorOf(event)) }),
    recordAuthUnrecoverable: assign({
      lastError: {
        name: 'AuthRejectedError',
        code: 'AUTH_REJECTED',
        status: 401,
        message: 'credentials rejected (HTTP 401) and the auth strategy cannot repair them',
      },
    }),
    recordConnectTimeout: assign({
      lastError: ({ context }) => ({
        name: 'ConnectTimeoutError',
        code: 'CONNECT_TIMEOUT',
        message: `connect attempt took longer than ${context.policy.connectTimeoutMs} ms`,
      }),
    }),
    recordSocketClosed: assign({
      lastError: ({ event }) =>
        event.type === 'SOCKET_CLOSED'
          ? { name: 'SocketClosed', code: 'SOCKET_CLOSED', message: `socket closed by peer (code ${event.code})` }
          : null,
    }),
    recordSocketError: assign({ lastError: ({ event }) => (event.type === 'SOCKET_ERROR' ? event.error : null) }),
    recordDeadLink: assign({
      lastError: ({ context }) => ({
        name: 'HeartbeatTimeout',
        code: 'HEARTBEAT_TIMEOUT',
        message: `no frame for ${timerMs(context.heartbeatPromiseMs + context.policy.heartbeatGraceMs)} ms (heartbeat promise + grace): link is dead`,
      }),
    }),
    recordGaveUp: assign({
      lastError: ({ context }) => ({
        name: 'MaxAttemptsError',
        code: 'MAX_ATTEMPTS',
        message: `gave up after ${context.failures} consecutive failed attempts (last: ${context.lastError?.message ?? 'unknown'})`,
      }),
    }),
  },
  // Every delay passes through `timerMs`: a timer cannot hold more than 2^31-1 ms and would fire at once.
  delays: {
    /** Quiet time after the last replay frame that ends SYNCING when no live frame has. */
    quietWindow: ({ context }) => timerMs(context.policy.quietMs),
    /** Upper bound on SYNCING, counted from the replay's first frame. */
    syncCap: ({ context }) => timerMs(context.policy.syncMaxMs),
    /** Wait before the next attempt, growing with consecutive failures. */
    backoff: ({ context }) => timerMs(backoffDelay(context.policy, context.failures)),
    /** Silence after which an open link is dead: the controller's promise plus grace (a promise past a timer's range is clamped). */
    heartbeatDeadline: ({ context }) => timerMs(context.heartbeatPromiseMs + context.policy.heartbeatGraceMs),
    /** Longest time one connect step (socket open, or auth refresh) may take. */
    connectTimeout: ({ context }) => timerMs(context.policy.connectTimeoutMs),
  },
}).createMachine({
  id: 'stream',
  context: ({ input }) => {
    const policy: StreamPolicy = { ...DEFAULT_POLICY, ...input?.policy };
    return {
      policy,
      failures: 0,
      authRecovered: false,
      heartbeatPromiseMs: policy.defaultHeartbeatPromiseMs,
      link: null,
      lastError: null,
    };
  },
  initial: 'NOT_STARTED',
  on: {
    STOP: { target: '.STOPPED' },
  },
  states: {
    NOT_STARTED: {
      tags: 'NOT_STARTED',
      on: { START: { target: 'INITIALIZING' } },
    },

    // The first connect attempt after START: open the socket; on a 401, let the auth strategy
    // repair the credentials once and retry at once. RECONNECTING below is the same attempt after
    // LOST, written out again so that Stately's static extractor sees it whole;
    // test/machine/structure.test.ts fails when the two copies differ.
    INITIALIZING: {
      tags: 'INITIALIZING',
      entry: 'clearAuthRecovered',
      initial: 'waitingForSlot',
      states: {
        // Never two sockets at the controller: a new connection starts only once the previous one
        // (closing after a stop, destroyed after a dead link or a failed attempt) is gone.
        waitingForSlot: {
          invoke: { id: 'slotRelease', src: 'slotRelease', onDone: { target: 'connecting' } },
        },
        connecting: {
          invoke: {
            id: 'connect',
            src: 'connect',
            input: connectInput,
            onDone: { target: '#stream.OPEN', actions: 'storeLink' },
            onError: [
              { guard: 'shouldRefreshAuth', target: 'refreshingAuth' },
              {
                guard: 'authHopeless',
                target: '#stream.FAILED',
                actions: 'recordError',
              },
              // Refused, timed out, a TLS handshake cut short, other statuses, transient auth endpoint failures.
              { target: '#stream.LOST', actions: 'recordError' },
            ],
          },
          after: { connectTimeout: { target: '#stream.LOST', actions: 'recordConnectTimeout' } },
        },
        refreshingAuth: {
          invoke: {
            id: 'refreshAuth',
            src: 'refreshAuth',
            onDone: [
              { guard: 'authRepaired', target: 'waitingForSlot', actions: 'markAuthRecovered' },
              { target: '#stream.FAILED', actions: 'recordAuthUnrecoverable' },
            ],
            onError: [
              { guard: 'repairHopeless', target: '#stream.FAILED', actions: 'recordError' },
              // The auth endpoint is down or answered 5xx: not a verdict on the credentials.
              { target: '#stream.LOST', actions: 'recordError' },
            ],
          },
          after: { connectTimeout: { target: '#stream.LOST', actions: 'recordConnectTimeout' } },
        },
      },
    },

    // A socket is open. Two regions: where we are in the replay, and whether the link is alive.
    OPEN: {
      type: 'parallel',
      entry: 'beginReplay',
      // Leaving OPEN for any reason closes the link; a dead one was already destroyed (linkDead).
      exit: ['releaseLink', 'forgetLink'],
      invoke: { id: 'reader', src: 'reader', input: readerInput },
      on: {
        SOCKET_CLOSED: { target: 'LOST', actions: 'recordSocketClosed' },
        SOCKET_ERROR: { target: 'LOST', actions: 'recordSocketError' },
      },
      states: {
        phase: {
          initial: 'SYNCING',
          states: {
            SYNCING: {
              tags: 'SYNCING',
              initial: 'awaitingReplay',
              states: {
                // Nothing counts down before the first frame: a controller that waits before
                // replaying must be neither promoted early nor swept empty. The watchdog still
                // bounds a socket that stays silent.
                awaitingReplay: {
                  on: { FRAME: { target: 'replaying' } },
                },
                replaying: {
                  // The cap counts from the first frame, so one endless replay cannot hold SYNCING.
                  after: { syncCap: { target: '#stream.OPEN.phase.CONNECTED' } },
                  initial: 'draining',
                  states: {
                    // The replay is over when a live frame arrives (stamped by the controller's clock after
                    // the subscription began), or, where timestamps cannot tell or the house is quiet, when
                    // the quiet window elapses. Every other frame restarts the quiet window (re-entry
                    // reschedules the delay): exact, not sampled.
                    draining: {
                      after: { quietWindow: { target: '#stream.OPEN.phase.CONNECTED' } },
                      on: {
                        LIVE_FRAME: { target: '#stream.OPEN.phase.CONNECTED' },
                        FRAME: { target: 'draining', reenter: true },
                      },
                    },
                  },
                },
              },
            },
            CONNECTED: {
              tags: 'CONNECTED',
              // Only a stream that got all the way here counts as healthy: a controller that
              // accepts and then closes keeps growing the backoff.
              entry: ['resetFailures', 'endReplay', 'goLive'],
            },
          },
        },
        watchdog: {
          initial: 'listening',
          states: {
            listening: {
              after: { heartbeatDeadline: { target: 'linkDead', actions: 'recordDeadLink' } },
              on: {
                FRAME: [
                  { guard: 'isHeartbeat', target: 'listening', reenter: true, actions: 'rememberHeartbeatPromise' },
                  { target: 'listening', reenter: true },
                ],
              },
            },
            // Destroyed here, while still OPEN: XState runs OPEN's exit (releaseLink, a polite
            // close) before a transition's actions, so a transition action would come too late.
            linkDead: {
              entry: 'abandonLink',
              always: { target: '#stream.LOST' },
            },
          },
        },
      },
    },

    // Waiting out the backoff before the next attempt.
    LOST: {
      tags: 'LOST',
      entry: 'countFailure',
      always: { guard: 'attemptsExhausted', target: 'FAILED', actions: 'recordGaveUp' },
      after: { backoff: { target: 'RECONNECTING' } },
    },

    // The same attempt as INITIALIZING (keep the two identical), after a LOST.
    RECONNECTING: {
      tags: 'RECONNECTING',
      entry: 'clearAuthRecovered',
      initial: 'waitingForSlot',
      states: {
        // Never two sockets at the controller: a new connection starts only once the previous one
        // (closing after a stop, destroyed after a dead link or a failed attempt) is gone.
        waitingForSlot: {
          invoke: { id: 'slotRelease', src: 'slotRelease', onDone: { target: 'connecting' } },
        },
        connecting: {
          invoke: {
            id: 'connect',
            src: 'connect',
            input: connectInput,
            onDone: { target: '#stream.OPEN', actions: 'storeLink' },
            onError: [
              { guard: 'shouldRefreshAuth', target: 'refreshingAuth' },
              {
                guard: 'authHopeless',
                target: '#stream.FAILED',
                actions: 'recordError',
              },
              // Refused, timed out, a TLS handshake cut short, other statuses, transient auth endpoint failures.
              { target: '#stream.LOST', actions: 'recordError' },
            ],
          },
          after: { connectTimeout: { target: '#stream.LOST', actions: 'recordConnectTimeout' } },
        },
        refreshingAuth: {
          invoke: {
            id: 'refreshAuth',
            src: 'refreshAuth',
            onDone: [
              { guard: 'authRepaired', target: 'waitingForSlot', actions: 'markAuthRecovered' },
              { target: '#stream.FAILED', actions: 'recordAuthUnrecoverable' },
            ],
            onError: [
              { guard: 'repairHopeless', target: '#stream.FAILED', actions: 'recordError' },
              // The auth endpoint is down or answered 5xx: not a verdict on the credentials.
              { target: '#stream.LOST', actions: 'recordError' },
            ],
          },
          after: { connectTimeout: { target: '#stream.LOST', actions: 'recordConnectTimeout' } },
        },
      },
    },

    // Gave up: credentials rejected, or maxAttempts reached. START tries again from scratch.
    FAILED: {
      tags: 'FAILED',
      on: { START: { target: 'INITIALIZING', actions: 'resetFailures' } },
    },

    STOPPED: {
      tags: 'STOPPED',
      on: { START: { target: 'INITIALIZING', actions: 'resetFailures' } },
    },
  },
});

export type StreamMachine = typeof streamMachine;
