/**
 * `iox-events --mqtt*`: flag parsing, and whole runs (in process, real brokers on loopback):
 * `--simulate --mqtt` with the built-in broker, and a controller URL with an external broker and
 * the default base topic `iox/<uuid from /api/config>`.
 */
import { parseCommand } from '../../src/cli/args';
import { UsageError } from '../../src/cli/usageError';
import { runCli, type CliIo } from '../../src/cli/run';
import { defaultBaseTopic, startEmbeddedBroker, uuidFromConfig } from '../../src/mqtt';
import { startSimulator } from '../../src/simulator';
import { freePort, Subscriber, until } from './helpers';

const plan = (argv: string[]) => {
  const command = parseCommand(argv);
  if (command.kind !== 'run') throw new Error('not a run');
  return command.plan;
};

describe('--mqtt flags', () => {
  it('accept a broker URL, or no URL with --simulate (the built-in broker), in any position', () => {
    expect(plan(['--simulate', '--mqtt']).mqtt).toEqual({});
    expect(plan(['--mqtt', '--simulate', '--json']).mqtt).toEqual({});
    expect(plan(['--simulate', '--mqtt=']).mqtt).toEqual({});
    expect(
      plan([
        'https://eisy.local:8443',
        '--mqtt',
        'mqtts://broker:8883',
        '--mqtt-base',
        'home/eisy/',
        '--mqtt-user',
        'bridge',
        '--mqtt-password-env',
        'MQTT_PW',
        '--mqtt-ca',
        'ca.pem',
      ]).mqtt,
    ).toEqual({
      url: 'mqtts://broker:8883',
      base: 'home/eisy',
      user: 'bridge',
      passwordEnv: 'MQTT_PW',
      caFile: 'ca.pem',
    });
    expect(plan(['--simulate']).mqtt).toBeUndefined();
  });

  it.each([
    [['https://eisy.local:8443', '--mqtt'], /needs a broker URL/],
    [['--simulate', '--mqtt-base', 'x'], /--mqtt-base needs --mqtt/],
    [['--simulate', '--mqtt', 'http://broker'], /must start with mqtt:\/\//],
    [['--simulate', '--mqtt', 'mqtt://u:secretpw@broker'], /credentials in the URL/],
    [['--simulate', '--mqtt', 'mqtt://b', '--mqtt-password-env', 'X'], /needs --mqtt-user/],
    [['--simulate', '--mqtt', 'mqtt://b', '--mqtt-user', 'u', '--mqtt-password-env', 'pw=1'], /NAME/],
    [['--simulate', '--mqtt', '--mqtt-user', 'u'], /built-in broker/],
    [['--simulate', '--mqtt', 'mqtt://b', '--mqtt-base', 'a/+/b'], /--mqtt-base/],
    [['--simulate', '--mqtt', 'mqtt://b', '--mqtt-base', '$SYS/x'], /--mqtt-base/],
  ])('%j is a usage error', (argv, message) => {
    let error: unknown;
    try {
      parseCommand(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('secretpw');
  });
});

/** An in-process `CliIo` that records output; signals are never sent. */
function testIo(env: NodeJS.ProcessEnv = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: (s: string) => err.push(s) },
    stdin: { isTTY: false, on: () => {}, off: () => {}, resume: () => {}, pause: () => {} },
    env,
    onSignal: () => () => {},
  };
}

describe('iox-events --mqtt runs', () => {
  it('--simulate --mqtt starts the built-in broker, says where, and bridges under iox/<uuid>', async () => {
    const io = testIo();
    const run = runCli(['--simulate', '--mqtt', '--json', '--duration', '4', '--speed', '20'], io);
    await until(() => io.err.join('').includes('listening on'), 10_000, 'the broker notice');
    const url = /listening on (mqtt:\/\/127\.0\.0\.1:\d+)/.exec(io.err.join(''))![1];
    const sub = await Subscriber.open(url, 'iox/#');
    try {
      await until(
        () => sub.seen.some((m) => m.topic.endsWith('/availability') && m.payload === 'online'),
        8000,
        'online',
      );
      const base = sub.seen.find((m) => m.topic.endsWith('/availability'))!.topic.replace(/\/availability$/, '');
      expect(base).toMatch(/^iox\/00:21:b9:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
      expect(
        new Set(sub.seen.filter((m) => m.topic.startsWith(`${base}/node/`)).map((m) => m.topic)).size,
      ).toBeGreaterThan(100);
      expect(await run).toBe(0);
      // The end of the run reached subscribers before the broker closed.
      expect(sub.last(`${base}/availability`)).toBe('offline');
      expect(sub.last(`${base}/status`)).toBe('STOPPED');
    } finally {
      await sub.close();
    }
    const stderr = io.err.join('');
    expect(stderr).toMatch(/mqtt: bridging to mqtt:\/\/127\.0\.0\.1:\d+ under iox\/00:21:b9:/);
    expect(stderr).toMatch(/mqtt: \d+ state publishes/);
    // stdout stays pure NDJSON.
    for (const line of io.out.join('').trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('a controller URL with --mqtt URL: base iox/<uuid from /api/config>, or --mqtt-base', async () => {
    const sim = await startSimulator({ auth: { username: 'admin', password: 'pw' }, speed: 20, liveEvents: false });
    const broker = await startEmbeddedBroker();
    const sub = await Subscriber.open(broker.url, '#');
    try {
      const config = await (await fetch(`${sim.url}/api/config`)).text();
      const uuid = uuidFromConfig(config)!;
      expect(uuid).toMatch(/^00:21:b9:/);
      const io = testIo({ SIM_PW: 'pw' });
      const args = [sim.url, '--user', 'admin', '--password-env', 'SIM_PW', '--mqtt', broker.url, '--json'];
      const code = runCli([...args, '--duration', '3'], io);
      await until(() => sub.last(`iox/${uuid}/availability`) === 'online', 8000, 'online under iox/<uuid>');
      expect(await code).toBe(0);
      const custom = runCli([...args, '--duration', '2', '--mqtt-base', 'home/eisy'], testIo({ SIM_PW: 'pw' }));
      await until(() => sub.last('home/eisy/availability') === 'online', 8000, 'online under --mqtt-base');
      expect(await custom).toBe(0);
      expect(sub.last('home/eisy/availability')).toBe('offline');
    } finally {
      await sub.close();
      await broker.close();
      await sim.close();
    }
  });

  it('a missing --mqtt-password-env variable is a usage error (exit 2) and starts nothing', async () => {
    const io = testIo();
    const port = await freePort();
    const code = await runCli(
      ['--simulate', '--mqtt', `mqtt://127.0.0.1:${port}`, '--mqtt-user', 'u', '--mqtt-password-env', 'NOPE'],
      io,
    );
    expect(code).toBe(2);
    expect(io.err.join('')).toContain('NOPE');
  });
});

describe('defaultBaseTopic', () => {
  it('falls back to iox/<host> when /api/config does not answer', async () => {
    const port = await freePort();
    await expect(defaultBaseTopic(`http://127.0.0.1:${port}`, { timeoutMs: 1000 })).resolves.toBe('iox/127.0.0.1');
  });

  it('makes a hostile uuid one safe topic level', async () => {
    const fetch = () => Promise.resolve({ status: 200, text: () => Promise.resolve('{"data":{"uuid":"a/+#b c"}}') });
    await expect(defaultBaseTopic('https://eisy.local:8443', { fetch })).resolves.toBe('iox/a___b_c');
    expect(uuidFromConfig('not json')).toBeUndefined();
    expect(uuidFromConfig(JSON.stringify({ data: { uuid: 'x'.repeat(500) } }))).toBeUndefined();
  });
});
