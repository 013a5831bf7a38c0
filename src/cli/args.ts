/**
 * Command-line parsing for `iox-events`. Pure: argv in, a validated plan out, so every usage rule
 * is testable without spawning anything.
 */
import { parseArgs } from 'node:util';
import { MAX_TIMER_MS } from '../machine/policy';
import { expandBareMqtt, MQTT_HELP, MQTT_OPTIONS, parseMqttPlan, type MqttPlan } from './mqttArgs';

/** A mistake in the command line. The CLI prints it with a hint and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * One `--filter node=...,control=...`: an event matches when every given field matches, ignoring
 * case and runs of whitespace (`node=1a 2b  3c 1` is `1A 2B 3C 1`). Values are kept in that
 * canonical form (see {@link canonicalFilterValue}).
 */
export interface EventFilter {
  node?: string;
  control?: string;
}

/** Where the password comes from. Never the command line: argv is visible to every local user. */
export type PasswordSource = { kind: 'env'; variable: string } | { kind: 'prompt' };

/** How to authenticate against a real controller. */
export type CliAuth =
  | { kind: 'none' }
  | { kind: 'local'; user: string; password: PasswordSource }
  | { kind: 'portal'; email: string; password: PasswordSource };

/** A validated `iox-events` run. */
export interface RunPlan {
  /** Controller base URL; undefined with `--simulate`. */
  url?: string;
  simulate: boolean;
  auth: CliAuth;
  path?: string;
  fingerprint?: string;
  insecure: boolean;
  caFile?: string;
  json: boolean;
  /** `--filter`, repeatable: an event is shown when it matches any one of them; empty shows every event. */
  filter: EventFilter[];
  /** Print every replayed status line (marked `replay`) instead of only counting them. */
  showReplay: boolean;
  /** Stop by itself after this many seconds. */
  durationSec?: number;
  quietMs?: number;
  heartbeatGraceMs?: number;
  maxAttempts?: number;
  /** Time compression of the built-in simulator (`--simulate` only). */
  speed: number;
  /** Library log lines (redacted) on stderr. */
  verbose: boolean;
  /** Bridge the stream into an MQTT broker (`--mqtt*`). */
  mqtt?: MqttPlan;
}

/** What the command line asks for. */
export type Command = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; plan: RunPlan };

/** Default time compression of `--simulate`: a lively house without a long replay. */
export const DEFAULT_SIMULATE_SPEED = 10;

const OPTIONS = {
  user: { type: 'string', short: 'u' },
  'password-env': { type: 'string' },
  portal: { type: 'string' },
  path: { type: 'string' },
  fingerprint: { type: 'string' },
  insecure: { type: 'boolean', short: 'k' },
  ca: { type: 'string' },
  json: { type: 'boolean' },
  filter: { type: 'string', multiple: true },
  'show-replay': { type: 'boolean' },
  simulate: { type: 'boolean' },
  speed: { type: 'string' },
  duration: { type: 'string' },
  'quiet-ms': { type: 'string' },
  'heartbeat-grace-ms': { type: 'string' },
  'max-attempts': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  ...MQTT_OPTIONS,
} as const;

/**
 * Refuse a password on the command line before `parseArgs` sees it: its own error messages quote
 * the offending argument, and `--password=secret` would be echoed to the terminal and to logs.
 */
function refusePasswordFlag(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    if (
      arg === '--password' ||
      arg.startsWith('--password=') ||
      arg === '-p' ||
      (arg.startsWith('-p') && !arg.startsWith('--'))
    ) {
      throw new UsageError(
        'passwords are not accepted on the command line (other users can read it); put it in an environment variable and pass --password-env NAME, or omit it to be prompted',
      );
    }
  }
}

function number(
  name: string,
  text: string | undefined,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${what}`);
  return n;
}

const isTimerMs = (n: number): boolean => n >= 0 && n <= MAX_TIMER_MS;
const TIMER_MS = `a number of milliseconds from 0 to ${MAX_TIMER_MS} (the longest timer)`;

/** Node addresses and control ids compare ignoring case and runs of whitespace. */
export function canonicalFilterValue(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toUpperCase();
}

const FILTER_HINT =
  '--filter expects node=ADDRESS and/or control=ID separated by a comma (e.g. --filter "node=1A 2B 3C 1,control=ST"); repeat --filter to show events matching any of them';
/** A control id as the controller sends them (`ST`, `DON`, `_1`, `CLITEMP`). */
const CONTROL_ID = /^[A-Za-z0-9_]+$/;
/** Any printable text without the separators: an address holds no control character and no `,` `=`. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NODE_ADDRESS = /^[^\u0000-\u001f\u007f-\u009f,=]+$/;

/**
 * Parse one `--filter` value, `node=1A 2B 3C 1,control=ST` (either part optional, at least one).
 *
 * @throws UsageError for anything that would otherwise silently match nothing: an unknown or
 * repeated key, an empty value, a control id that is not one.
 */
export function parseFilter(text: string): EventFilter {
  const filter: EventFilter = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim().toLowerCase();
    const value = eq < 0 ? '' : canonicalFilterValue(part.slice(eq + 1));
    const valid = (key === 'node' && NODE_ADDRESS.test(value)) || (key === 'control' && CONTROL_ID.test(value));
    if (!valid) throw new UsageError(`${FILTER_HINT}; got ${JSON.stringify(part)}`);
    if (filter[key] !== undefined) throw new UsageError(`--filter names ${key} twice in ${JSON.stringify(text)}`);
    filter[key] = value;
  }
  return filter;
}

function passwordSource(variable: string | undefined): PasswordSource {
  if (variable === undefined) return { kind: 'prompt' };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable))
    throw new UsageError(
      '--password-env takes the NAME of an environment variable (e.g. IOX_PASSWORD), not the password',
    );
  return { kind: 'env', variable };
}

/**
 * Parse and validate the arguments (without the `node script` prefix).
 *
 * @throws UsageError for anything the user should fix; its message never contains a secret.
 */
export function parseCommand(argv: readonly string[]): Command {
  refusePasswordFlag(argv);
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args: expandBareMqtt(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  if (positionals.length > 1) throw new UsageError(`expected one controller URL, got ${positionals.length} arguments`);
  const url = positionals[0];
  const simulate = values.simulate ?? false;
  if (simulate && url !== undefined)
    throw new UsageError('--simulate runs against the built-in simulator: give no URL');
  if (!simulate && url === undefined)
    throw new UsageError('missing the controller URL (e.g. https://eisy.local:8443), or use --simulate');
  if (url !== undefined) {
    let parsedUrl: URL;
    try {
      parsedUrl = new URL(url);
    } catch {
      throw new UsageError('the controller URL is not a valid URL (expected e.g. https://eisy.local:8443)');
    }
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsedUrl.protocol))
      throw new UsageError('the controller URL must start with https://, http://, wss:// or ws://');
    if (parsedUrl.username || parsedUrl.password)
      throw new UsageError('do not put credentials in the URL: use --user and --password-env');
  }

  if (values.user !== undefined && values.portal !== undefined)
    throw new UsageError('--user (local Basic auth) and --portal (portal account) are alternatives: give one');
  if (simulate && (values.user !== undefined || values.portal !== undefined))
    throw new UsageError('--simulate brings its own credentials: drop --user / --portal');
  if (values['password-env'] !== undefined && values.user === undefined && values.portal === undefined) {
    throw new UsageError('--password-env needs --user or --portal');
  }
  if (values.insecure && values.fingerprint !== undefined)
    throw new UsageError('--insecure turns verification off; --fingerprint pins a certificate: give one');
  if (values.speed !== undefined && !simulate) throw new UsageError('--speed only applies to --simulate');

  let auth: CliAuth = { kind: 'none' };
  if (values.user !== undefined) {
    if (values.user === '') throw new UsageError('--user needs a user name');
    auth = { kind: 'local', user: values.user, password: passwordSource(values['password-env']) };
  } else if (values.portal !== undefined) {
    if (!values.portal.includes('@')) throw new UsageError('--portal takes the portal account e-mail');
    auth = { kind: 'portal', email: values.portal, password: passwordSource(values['password-env']) };
  }
  if (values.path !== undefined && !values.path.startsWith('/'))
    throw new UsageError("--path must start with '/' (e.g. /rest/subscribe)");
  if (values.fingerprint !== undefined && !/^[0-9a-fA-F]{64}$/.test(values.fingerprint.replace(/[\s:]/g, ''))) {
    throw new UsageError('--fingerprint must be a SHA-256 fingerprint: 64 hex digits, plain or AA:BB:...');
  }

  let mqtt: MqttPlan | undefined;
  try {
    mqtt = parseMqttPlan(values, simulate);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  return {
    kind: 'run',
    plan: {
      mqtt,
      url,
      simulate,
      auth,
      path: values.path,
      fingerprint: values.fingerprint,
      insecure: values.insecure ?? false,
      caFile: values.ca,
      json: values.json ?? false,
      filter: (values.filter ?? []).map(parseFilter),
      showReplay: values['show-replay'] ?? false,
      // Each of these ends in a timer, which holds at most 2^31-1 ms and fires at once past it.
      durationSec: number(
        'duration',
        values.duration,
        (n) => n > 0 && n * 1000 <= MAX_TIMER_MS,
        `a number of seconds > 0 and at most ${MAX_TIMER_MS / 1000} (~24.8 days, the longest timer)`,
      ),
      quietMs: number('quiet-ms', values['quiet-ms'], isTimerMs, TIMER_MS),
      heartbeatGraceMs: number('heartbeat-grace-ms', values['heartbeat-grace-ms'], isTimerMs, TIMER_MS),
      maxAttempts: number(
        'max-attempts',
        values['max-attempts'],
        (n) => Number.isInteger(n) && n >= 1,
        'a whole number >= 1',
      ),
      speed:
        number('speed', values.speed, (n) => n > 0 && n <= 1000, 'a number from 0 (exclusive) to 1000') ??
        DEFAULT_SIMULATE_SPEED,
      verbose: values.verbose ?? false,
    },
  };
}

/** Process exit codes, documented in `--help` and the README. */
export const ExitCode = {
  /** Stopped normally: Ctrl-C, SIGTERM or `--duration` elapsed. */
  OK: 0,
  /** A runtime failure: an unexpected error, an unreadable `--ca` file, the simulator failed to start. */
  RUNTIME: 1,
  /** A usage error: bad or missing arguments, no password available. */
  USAGE: 2,
  /** The stream went FAILED: credentials rejected, or `--max-attempts` reached. */
  FAILED: 3,
} as const;

/** The `--help` text. */
export function helpText(name = 'iox-events'): string {
  return `Watch the event stream of a Universal Devices IoX controller (eisy, Polisy, ISY).

Usage:
  ${name} URL [--user NAME [--password-env VAR]] [options]
  ${name} URL --portal EMAIL [--password-env VAR] [options]
  ${name} --simulate [options]

  URL                    controller base URL, e.g. https://eisy.local:8443

Authentication (the password is read from an environment variable or a prompt, never argv):
  -u, --user NAME        local Basic auth user (e.g. admin)
      --portal EMAIL     portal account login (tokens from /api/login)
      --password-env VAR read the password from environment variable VAR;
                         without it you are prompted (no echo) when stdin is a terminal

Connection:
      --path PATH        stream endpoint (default /rest/subscribe; /api/events/subscribe
                         is the JSON-envelope stream)
      --fingerprint SHA  pin the controller certificate by SHA-256 (AA:BB:... or hex)
      --ca FILE          trust this CA / self-signed certificate (PEM)
  -k, --insecure         do not verify the certificate at all (prefer --fingerprint)
      --quiet-ms MS      quiet time that ends the connect-time replay (default 1000)
      --heartbeat-grace-ms MS  silence tolerated beyond the heartbeat promise (default 5000)
      --max-attempts N   give up (exit 3) after N consecutive failed attempts

Output:
      --json             NDJSON: one object per status change and per event, then a summary
      --filter F         only events matching F: node=ADDRESS and/or control=ID, comma-separated
                         (e.g. --filter "node=1A 2B 3C 1,control=ST"); case does not matter;
                         repeat it to show events matching any of the filters
      --show-replay      print every replayed status line (marked replay) instead of a count
  -v, --verbose          library log lines on stderr (secrets redacted)

${MQTT_HELP}
Other:
      --simulate         run against the built-in simulator (a house of ~150 nodes)
      --speed N          simulator time compression with --simulate (default ${DEFAULT_SIMULATE_SPEED})
      --duration SEC     stop by itself after SEC seconds
  -h, --help             this help
  -V, --version          the version

Runs until Ctrl-C (or SIGTERM), then stops the stream cleanly and prints a summary.

Exit codes:
  0  stopped normally (Ctrl-C, SIGTERM, --duration)
  1  runtime failure (unexpected error, unreadable --ca file, ...)
  2  usage error (bad arguments, no password available)
  3  the stream FAILED: credentials rejected, or --max-attempts reached
`;
}
