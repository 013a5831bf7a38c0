/**
 * The `--mqtt*` flags of `iox-events`: parsing and validation, pure like the rest of `args.ts`.
 * Kept apart so the MQTT bridge's options stay in one place.
 */

/** A mistake in the MQTT flags; `parseCommand` reports it as a usage error (exit code 2). */
export class MqttUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MqttUsageError';
  }
}

/** A validated MQTT bridge request. */
export interface MqttPlan {
  /** Broker URL; undefined = the embedded broker (`--simulate` only). */
  url?: string;
  /** `--mqtt-base`; undefined = `iox/<controller id>`. */
  base?: string;
  /** `--mqtt-user`. */
  user?: string;
  /** `--mqtt-password-env`: the NAME of the variable holding the broker password. */
  passwordEnv?: string;
  /** `--mqtt-ca`: PEM file to trust for `mqtts://` / `wss://`. */
  caFile?: string;
}

/** `parseArgs` specs of the MQTT flags. */
export const MQTT_OPTIONS = {
  mqtt: { type: 'string' },
  'mqtt-base': { type: 'string' },
  'mqtt-user': { type: 'string' },
  'mqtt-password-env': { type: 'string' },
  'mqtt-ca': { type: 'string' },
} as const;

/** The values `parseArgs` returns for {@link MQTT_OPTIONS}. */
export interface MqttValues {
  mqtt?: string;
  'mqtt-base'?: string;
  'mqtt-user'?: string;
  'mqtt-password-env'?: string;
  'mqtt-ca'?: string;
}

const BROKER_SCHEMES = ['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ssl:', 'ws:', 'wss:'];

/**
 * `--mqtt` may stand alone (the embedded broker with `--simulate`): `parseArgs` wants a value for a
 * string option, so a bare `--mqtt` (last, or followed by another flag) becomes `--mqtt=`.
 */
export function expandBareMqtt(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    out.push(arg === '--mqtt' && (next === undefined || next.startsWith('-')) ? '--mqtt=' : arg);
  }
  return out;
}

/**
 * Validates the MQTT flags.
 *
 * @throws MqttUsageError for anything the user should fix (never quoting a password: there is none on argv).
 */
export function parseMqttPlan(values: MqttValues, simulate: boolean): MqttPlan | undefined {
  const given = values.mqtt !== undefined;
  for (const flag of ['mqtt-base', 'mqtt-user', 'mqtt-password-env', 'mqtt-ca'] as const) {
    if (values[flag] !== undefined && !given) throw new MqttUsageError(`--${flag} needs --mqtt`);
  }
  if (!given) return undefined;
  const url = values.mqtt === '' ? undefined : values.mqtt;
  if (url === undefined) {
    if (!simulate)
      throw new MqttUsageError(
        '--mqtt needs a broker URL (e.g. --mqtt mqtt://127.0.0.1:1883); only --simulate has a built-in one',
      );
    if (values['mqtt-user'] !== undefined || values['mqtt-ca'] !== undefined)
      throw new MqttUsageError('the built-in broker of --simulate takes no --mqtt-user or --mqtt-ca: give --mqtt URL');
  } else {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new MqttUsageError('--mqtt takes a broker URL such as mqtt://HOST:1883 or mqtts://HOST:8883');
    }
    if (!BROKER_SCHEMES.includes(parsed.protocol))
      throw new MqttUsageError('--mqtt URL must start with mqtt://, mqtts://, ws:// or wss://');
    if (parsed.username || parsed.password)
      throw new MqttUsageError('do not put broker credentials in the URL: use --mqtt-user and --mqtt-password-env');
  }
  const passwordEnv = values['mqtt-password-env'];
  if (passwordEnv !== undefined) {
    if (values['mqtt-user'] === undefined) throw new MqttUsageError('--mqtt-password-env needs --mqtt-user');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv))
      throw new MqttUsageError('--mqtt-password-env takes the NAME of an environment variable, not the password');
  }
  if (values['mqtt-user'] === '') throw new MqttUsageError('--mqtt-user needs a user name');
  return {
    url,
    base: baseTopic(values['mqtt-base']),
    user: values['mqtt-user'],
    passwordEnv,
    caFile: values['mqtt-ca'],
  };
}

/**
 * `--mqtt-base` by the rules `createMqttBridge` enforces (which has the final word). Checked here,
 * not by importing the bridge's own check, so that parsing argv never loads MQTT.js.
 */
function baseTopic(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const base = text.replace(/\/+$/, '');
  if (base.trim() === '') throw new MqttUsageError('--mqtt-base needs a topic such as home/eisy');
  if (/[+#]/.test(base) || base.includes(String.fromCharCode(0)))
    throw new MqttUsageError('--mqtt-base must not contain +, # or NUL');
  if (base.startsWith('$')) throw new MqttUsageError('--mqtt-base must not start with $ (reserved for the broker)');
  if (base.split('/').includes('')) throw new MqttUsageError('--mqtt-base must not contain an empty level (//)');
  return base;
}

/** The MQTT part of `--help`. */
export const MQTT_HELP = `MQTT bridge (retained state topics, availability and live events under one base topic):
      --mqtt URL         bridge the stream to this broker (mqtt://HOST:1883, mqtts://HOST:8883);
                         with --simulate and no URL, a built-in broker on 127.0.0.1
      --mqtt-base TOPIC  base topic (default iox/<controller uuid>, else iox/<host>)
      --mqtt-user NAME   broker user name
      --mqtt-password-env VAR  read the broker password from environment variable VAR
      --mqtt-ca FILE     trust this CA for mqtts:// or wss:// (PEM)
`;
