/**
 * `iox-events --mqtt`: start the bridge (and, with `--simulate` and no URL, the embedded broker)
 * next to the stream. The bridge module, and with it MQTT.js, is loaded only when asked for.
 */
import { readFileSync } from 'node:fs';
import type { TlsOptions } from '../auth/types';
import type { Logger } from '../logger';
import type { EventStream } from '../stream';
import { UsageError } from './usageError';
import type { MqttPlan } from './mqttArgs';

/** What `--mqtt` started; `stop()` ends all of it. */
export interface CliMqtt {
  stop(): Promise<void>;
}

/** Where the bridge's notices go (stderr: stdout may be NDJSON). */
export interface CliMqttIo {
  env: NodeJS.ProcessEnv;
  stderr: { write(text: string): unknown };
}

/** A broker URL with any credentials removed, for printing. */
function printable(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}

/**
 * Starts the bridge for `stream`. `controllerUrl` and `tls` are the stream's, used to read the
 * controller id for the default base topic.
 *
 * @throws UsageError when the password variable is unset; Error with a safe message (no password)
 * when the CA file is unreadable or the embedded broker cannot listen.
 */
export async function startCliMqtt(
  plan: MqttPlan,
  context: {
    stream: EventStream;
    controllerUrl: string;
    tls?: TlsOptions;
    logger: Logger;
    io: CliMqttIo;
    /** Redacted from log lines: the broker password is added. */
    secrets?: string[];
  },
): Promise<CliMqtt> {
  const { io } = context;
  let password: string | undefined;
  if (plan.passwordEnv !== undefined) {
    password = io.env[plan.passwordEnv];
    if (password === undefined || password === '')
      throw new UsageError(`environment variable ${plan.passwordEnv} (from --mqtt-password-env) is not set or empty`);
    context.secrets?.push(password);
  }
  let ca: Buffer | undefined;
  if (plan.caFile !== undefined) {
    try {
      ca = readFileSync(plan.caFile);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new Error(`cannot read --mqtt-ca file ${plan.caFile}: ${code}`, { cause: error });
    }
  }

  const { createMqttBridge, defaultBaseTopic, startEmbeddedBroker } = await import('../mqtt');
  let url = plan.url;
  let broker: Awaited<ReturnType<typeof startEmbeddedBroker>> | undefined;
  if (url === undefined) {
    // The port every MQTT tool tries first; another free one when it is taken.
    broker = await startEmbeddedBroker({ port: 1883 }).catch(() => startEmbeddedBroker());
    url = broker.url;
    io.stderr.write(
      `mqtt: built-in broker listening on ${url} (try: mosquitto_sub -h 127.0.0.1 -p ${broker.port} -t 'iox/#' -v)\n`,
    );
  }
  const baseTopic = plan.base ?? (await defaultBaseTopic(context.controllerUrl, { tls: context.tls }));
  const bridge = createMqttBridge({
    stream: context.stream,
    url,
    baseTopic,
    clientOptions: {
      ...(plan.user !== undefined ? { username: plan.user } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(ca !== undefined ? { ca } : {}),
    },
    logger: context.logger,
  });
  bridge.start();
  io.stderr.write(`mqtt: bridging to ${printable(url)} under ${bridge.baseTopic}/\n`);
  return {
    async stop() {
      await bridge.stop();
      const s = bridge.stats;
      io.stderr.write(
        `mqtt: ${s.statePublished} state publishes (${s.stateUnchanged} unchanged skipped), ${s.eventsPublished} events, ${s.eventsDropped} dropped, ${s.brokerConnects} broker connects\n`,
      );
      await broker?.close();
    },
  };
}
