/**
 * `iox-events`: parse the command line, build a stream (against a controller or the built-in
 * simulator), render it until a signal, `--duration` or FAILED, then print the summary.
 */
import { readFileSync } from 'node:fs';
import { LocalAuth } from '../auth/local';
import { PortalAuth } from '../auth/portal';
import { redactingLogger } from '../auth/redact';
import { TokenAuth } from '../auth/token';
import type { Auth, TlsOptions } from '../auth/types';
import { silentLogger, type Logger } from '../logger';
import type { EventStreamOptions } from '../options';
import { startSimulator, type Simulator } from '../simulator';
import { createEventStream, type EventStream } from '../stream';
import { version as packageVersion } from '../../package.json';
import { parseCommand, type PasswordSource, type RunPlan } from './args';
import { ExitCode, helpText } from './help';
import { UsageError } from './usageError';
import { startCliMqtt, type CliMqtt } from './mqtt';
import { promptPassword, PromptCancelled, type PromptInput } from './prompt';
import { shouldColor } from './colors';
import { Renderer, type Output } from './render';
import { explainForCli } from './explain';
import { terminalSafe } from './terminalText';
import { settleAndCompare, watchStream } from './watch';

/** The process pieces the CLI touches; tests and embedders may pass their own. */
export interface CliIo {
  stdout: Output & { isTTY?: boolean };
  stderr: Output;
  stdin: PromptInput;
  env: NodeJS.ProcessEnv;
  /** Subscribe to SIGINT/SIGTERM; returns an unsubscribe function. */
  onSignal(handler: (signal: NodeJS.Signals) => void): () => void;
}

/** The real process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    onSignal: (handler) => {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

/** The package version (`--version`). */
export const VERSION: string = packageVersion;

/** A failure that is not the user's typing: exit code 1 with this message. */
class RuntimeFailure extends Error {}

async function readPassword(source: PasswordSource, who: string, io: CliIo): Promise<string> {
  if (source.kind === 'env') {
    const value = io.env[source.variable];
    if (value === undefined || value === '')
      throw new UsageError(`environment variable ${source.variable} (from --password-env) is not set or empty`);
    return value;
  }
  if (!io.stdin.isTTY)
    throw new UsageError('no password: stdin is not a terminal to prompt on; pass --password-env VAR');
  try {
    return await promptPassword(`Password for ${terminalSafe(who)}: `, io.stdin, io.stderr);
  } catch (error) {
    if (error instanceof PromptCancelled) throw new UsageError('password prompt cancelled');
    throw error;
  }
}

function tlsOptions(plan: RunPlan): TlsOptions | undefined {
  const tls: TlsOptions = {};
  if (plan.fingerprint !== undefined) tls.fingerprint256 = plan.fingerprint;
  if (plan.insecure) tls.rejectUnauthorized = false;
  if (plan.caFile !== undefined) {
    try {
      tls.ca = readFileSync(plan.caFile);
    } catch (error) {
      throw new RuntimeFailure(
        `cannot read --ca file ${plan.caFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  return Object.keys(tls).length > 0 ? tls : undefined;
}

/** Library log lines on stderr, secrets redacted, only with `--verbose`. */
function cliLogger(plan: RunPlan, io: CliIo, secrets: readonly string[]): Logger {
  if (!plan.verbose) return silentLogger;
  const line =
    (level: string) =>
    (message: string, ...details: unknown[]) =>
      io.stderr.write(
        `[${level}] ${terminalSafe(`${message}${details.length ? ` ${details.map((d) => (d instanceof Error ? d.message : JSON.stringify(d))).join(' ')}` : ''}`)}\n`,
      );
  return redactingLogger(
    { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
    () => secrets,
  );
}

/** What to connect to: options for `createEventStream`, plus the simulator when simulating. */
interface Target {
  options: EventStreamOptions;
  simulator?: Simulator;
  secrets: string[];
}

async function buildTarget(plan: RunPlan, io: CliIo): Promise<Target> {
  if (plan.simulate) {
    // The simulator's password only lives in this process; it is random so nothing can rely on it.
    const password = Math.random().toString(36).slice(2);
    const simulator = await startSimulator({
      auth: { username: 'admin', password },
      speed: plan.speed,
      liveEvents: { intervalMs: 5000, commands: true },
    });
    const scale = (ms: number): number => Math.max(50, Math.round(ms / plan.speed));
    return {
      simulator,
      secrets: [password],
      options: {
        url: simulator.url,
        path: plan.path,
        auth: new LocalAuth('admin', password),
        // The simulator compresses time; so does the stream's policy, or every timer would look frozen.
        // Not the quiet window: the controller's clock tells the replay from live changes.
        quietMs: plan.quietMs,
        heartbeatGraceMs: plan.heartbeatGraceMs ?? scale(5000),
        defaultHeartbeatPromiseMs: scale(90_000),
        backoffMs: [1000, 2000, 5000, 10_000, 30_000, 60_000].map(scale),
        maxAttempts: plan.maxAttempts,
      },
    };
  }
  let auth: Auth | undefined;
  const secrets: string[] = [];
  if (plan.auth.kind === 'local') {
    const password = await readPassword(plan.auth.password, plan.auth.user, io);
    secrets.push(password);
    auth = new LocalAuth(plan.auth.user, password);
  } else if (plan.auth.kind === 'portal') {
    const password = await readPassword(plan.auth.password, plan.auth.email, io);
    secrets.push(password);
    const portal = new PortalAuth({ email: plan.auth.email, password });
    // The JSON-envelope endpoint takes its token in the first frame, not in a header.
    auth = plan.path === '/api/events/subscribe' ? new TokenAuth({ token: portal }) : portal;
  }
  return {
    secrets,
    options: {
      url: plan.url!,
      path: plan.path,
      auth,
      tls: tlsOptions(plan),
      quietMs: plan.quietMs,
      heartbeatGraceMs: plan.heartbeatGraceMs,
      maxAttempts: plan.maxAttempts,
    },
  };
}

/**
 * Run `iox-events` with `argv` (without `node script`). Resolves with the exit code; never
 * rejects. Writes only to `io`.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let plan: RunPlan;
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') {
      io.stdout.write(helpText());
      return ExitCode.OK;
    }
    if (command.kind === 'version') {
      io.stdout.write(`${VERSION}\n`);
      return ExitCode.OK;
    }
    plan = command.plan;
  } catch (error) {
    return reportFailure(error, io);
  }

  let target: Target;
  let stream: EventStream;
  try {
    target = await buildTarget(plan, io);
    stream = createEventStream({ ...target.options, logger: cliLogger(plan, io, target.secrets) });
  } catch (error) {
    return reportFailure(error, io);
  }

  let mqtt: CliMqtt | undefined;
  if (plan.mqtt !== undefined) {
    try {
      const context = {
        stream,
        controllerUrl: target.options.url,
        tls: target.options.tls,
        io,
        secrets: target.secrets,
      };
      mqtt = await startCliMqtt(plan.mqtt, { ...context, logger: cliLogger(plan, io, target.secrets) });
    } catch (error) {
      await target.simulator?.close();
      return reportFailure(error, io);
    }
  }

  const tty = io.stdout.isTTY === true;
  const renderer = new Renderer({
    out: io.stdout,
    json: plan.json,
    tty,
    color: shouldColor(tty, io.env),
    showReplay: plan.showReplay,
  });
  const watch = watchStream(stream, renderer, { filter: plan.filter, explain: (error) => explainForCli(error, plan) });

  // The run ends on the first of: a signal, --duration, or FAILED (retrying cannot help).
  let forced = false;
  const ended = new Promise<'signal' | 'duration' | 'failed'>((resolve) => {
    const offSignal = io.onSignal(() => {
      // A second Ctrl-C while stopping means "now": skip the clean-up.
      if (forced) process.exit(130);
      forced = true;
      offSignal();
      io.onSignal(() => process.exit(130));
      resolve('signal');
    });
    if (plan.durationSec !== undefined) setTimeout(() => resolve('duration'), plan.durationSec * 1000).unref();
    void watch.reached('FAILED').then(() => resolve('failed'));
  });
  // Keep the process alive while streaming even if the socket is between attempts.
  const keepAlive = setInterval(() => {}, 1 << 30);

  try {
    stream.start();
    const why = await ended;
    if (why === 'failed') {
      // The summary reports FAILED and its reason; the stop that follows is only clean-up.
      const summary = watch.summary();
      watch.detach();
      await stream.stop();
      renderer.summary(summary);
      return ExitCode.FAILED;
    }
    // The check sends a sentinel change of its own: not a live event of the house, so not shown.
    watch.stopEvents();
    const matches = target.simulator ? await settleAndCompare(stream, target.simulator) : undefined;
    await stream.stop();
    renderer.summary(watch.summary(matches === undefined ? {} : { mirrorMatchesTruth: matches }));
    return ExitCode.OK;
  } catch (error) {
    return reportFailure(error, io);
  } finally {
    clearInterval(keepAlive);
    watch.detach();
    renderer.close();
    await mqtt?.stop();
    await target.simulator?.close();
  }
}

function reportFailure(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr.write(`iox-events: ${terminalSafe(error.message)}\nTry 'iox-events --help'.\n`);
    return ExitCode.USAGE;
  }
  // Library errors (TypeError from option checks, IoxError) carry safe messages by contract.
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`iox-events: ${terminalSafe(message)}\n`);
  return ExitCode.RUNTIME;
}
