/**
 * Command-line parsing for `iox-events`. Pure: argv in, a validated plan out, so every usage rule
 * is testable without spawning anything.
 */
import { parseArgs } from 'node:util';
import { MAX_TIMER_MS } from '../machine/policy';
import { parseFilter, type EventFilter } from './filter';
import { expandBareMqtt, MQTT_OPTIONS, parseMqttPlan, type MqttPlan } from './mqttArgs';
import { UsageError } from './usageError';

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
