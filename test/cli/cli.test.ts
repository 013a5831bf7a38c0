/**
 * `iox-events` end to end: spawned as a child process (`node --import tsx src/cli/main.ts`), output
 * parsed, exit code checked, against the built-in simulator or one started here.
 */
import packageJson from '../../package.json';
import { startSimulator, type Simulator } from '../../src/simulator';
import { ndjson, runCli, type Run } from './spawn';

// eslint-disable-next-line no-control-regex -- ESC is exactly what this test looks for
const ANSI = /\x1b\[/;

describe('iox-events: help, version, usage errors', () => {
  it('--help documents the flags and the exit codes (exit 0); --version prints the version', async () => {
    const [help, version] = await Promise.all([runCli(['--help']), runCli(['--version'])]);
    expect(help.code).toBe(0);
    for (const flag of [
      '--user',
      '--password-env',
      '--portal',
      '--path',
      '--fingerprint',
      '--insecure',
      '--ca',
      '--json',
      '--filter',
      '--simulate',
      '--duration',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*\n\s+2 .*\n\s+3 /);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(packageJson.version);
  });

  it('exits 2 on usage errors, with a hint on stderr and nothing on stdout', async () => {
    const cases: string[][] = [
      [],
      ['--bogus'],
      ['--simulate', 'https://eisy.local:8443'],
      ['https://eisy.local:8443', '--user', 'admin', '--portal', 'me@example.com'],
      ['https://eisy.local:8443', '--filter', 'room=kitchen'],
      ['https://eisy.local:8443', '--duration', '-1'],
      ['https://eisy.local:8443', '--duration=0'],
      ['https://eisy.local:8443', '--fingerprint', 'not-hex'],
      ['ftp://eisy.local'],
      // No password source: the env var is unset, and stdin is not a terminal to prompt on.
      ['https://eisy.local:8443', '--user', 'admin', '--password-env', 'IOX_TEST_UNSET_VARIABLE'],
      ['https://eisy.local:8443', '--user', 'admin'],
    ];
    const runs = await Promise.all(cases.map((args) => runCli(args, { env: { IOX_TEST_UNSET_VARIABLE: '' } })));
    runs.forEach((run, i) => {
      expect({ args: cases[i], code: run.code }).toEqual({ args: cases[i], code: 2 });
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^iox-events: [\s\S]+\nTry 'iox-events --help'\.\n$/);
    });
  });

  it('refuses a password on the command line without echoing it', async () => {
    const secret = 'hunter2-do-not-echo';
    const runs = await Promise.all([
      runCli(['https://eisy.local:8443', '--user', 'admin', '--password', secret]),
      runCli(['https://eisy.local:8443', '--user', 'admin', `--password=${secret}`]),
      runCli(['https://eisy.local:8443', '--user', 'admin', '--password-env', secret]),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
    expect(runs[0].stderr).toContain('--password-env');
  });
});

describe('iox-events --simulate', () => {
  // The two timed runs go side by side: the suite stays short.
  let jsonRun: Promise<Run>;
  let humanRun: Promise<Run>;
  beforeAll(() => {
    jsonRun = runCli(['--simulate', '--duration', '3', '--json']);
    humanRun = runCli(['--simulate', '--duration', '2.5']);
  });

  it('--json: NDJSON statuses and events (replay first, then live), a summary last, exit 0', async () => {
    const run = await jsonRun;
    expect(run.code).toBe(0);
    const lines = ndjson(run.stdout);
    const statuses = lines.filter((l) => l.type === 'status').map((l) => l.status);
    expect(statuses).toEqual(['NOT_STARTED', 'INITIALIZING', 'SYNCING', 'CONNECTED', 'STOPPED']);
    const events = lines.filter((l) => l.type === 'event');
    const firstLive = events.findIndex((e) => e.replay === false);
    expect(firstLive).toBeGreaterThan(100); // a whole house replayed first
    expect(events.slice(0, firstLive).every((e) => e.replay === true)).toBe(true);
    expect(events.slice(firstLive).every((e) => e.replay === false)).toBe(true);
    expect(events[0]).toEqual(
      expect.objectContaining({
        node: expect.any(String),
        control: expect.any(String),
        action: expect.any(String),
        seqnum: 0,
      }),
    );
    // Live events are printed after CONNECTED, replayed ones before it.
    const connectedAt = lines.findIndex((l) => l.type === 'status' && l.status === 'CONNECTED');
    expect(lines.indexOf(events[firstLive])).toBeGreaterThan(connectedAt);
    // Every line has its type and the time it was written (the README's promise), the summary too.
    for (const line of lines)
      expect(line).toEqual(expect.objectContaining({ type: expect.any(String), time: expect.any(String) }));
    const summary = lines.at(-1)!;
    expect(Date.parse(summary.time as string)).not.toBeNaN();
    expect(summary).toEqual(
      expect.objectContaining({
        type: 'summary',
        finalStatus: 'STOPPED',
        statuses,
        events: { total: events.length, replay: firstLive, live: events.length - firstLive },
        mirrorMatchesTruth: true,
      }),
    );
    expect((summary.mirror as { nodes: number }).nodes).toBeGreaterThan(100);
    expect(run.stderr).toBe('');
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s stops the stream cleanly, prints the summary and exits 0',
    async (signal) => {
      let sent = false;
      const run = await runCli(['--simulate', '--json'], {
        onStdout: (soFar, child) => {
          if (!sent && soFar.includes('"status":"CONNECTED"')) {
            sent = true;
            child.kill(signal);
          }
        },
      });
      expect(run.code).toBe(0);
      const lines = ndjson(run.stdout);
      expect(
        lines
          .filter((l) => l.type === 'status')
          .map((l) => l.status)
          .slice(-2),
      ).toEqual(['CONNECTED', 'STOPPED']);
      expect(lines.at(-1)).toEqual(
        expect.objectContaining({ type: 'summary', finalStatus: 'STOPPED', mirrorMatchesTruth: true }),
      );
    },
  );

  it('human mode: a status timeline, the replay counted on one line, live events, a summary; no colour off a TTY', async () => {
    const run = await humanRun;
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(ANSI);
    const lines = run.stdout.split('\n');
    const statusLines = lines.filter((l) => / ● /.test(l));
    expect(statusLines.map((l) => /● (\w+)/.exec(l)![1])).toEqual([
      'NOT_STARTED',
      'INITIALIZING',
      'SYNCING',
      'CONNECTED',
      'STOPPED',
    ]);
    for (const l of statusLines) expect(l).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}● /);
    expect(lines.filter((l) => /replay: \d+ status events for \d+ nodes/.test(l))).toHaveLength(1);
    expect(run.stdout).toMatch(/── summary/);
    expect(run.stdout).toMatch(/statuses\s+NOT_STARTED → INITIALIZING → SYNCING → CONNECTED → STOPPED/);
    expect(run.stdout).toMatch(/mirror == simulator truth ✔/);
  });
});

describe('iox-events against a controller URL', () => {
  let sim: Simulator;
  const PASSWORD = 'right-password-42';
  beforeAll(async () => {
    sim = await startSimulator({
      auth: { username: 'admin', password: PASSWORD },
      speed: 20,
      liveEvents: { intervalMs: 4000 },
    });
  });
  afterAll(() => sim.close());

  it('a wrong password (from --password-env) ends in FAILED: exit 3, the password never printed', async () => {
    const wrong = 'wrong-password-not-to-print';
    const [human, json] = await Promise.all([
      runCli([sim.url, '--user', 'admin', '--password-env', 'IOX_TEST_PASSWORD'], {
        env: { IOX_TEST_PASSWORD: wrong },
      }),
      runCli([sim.url, '--user', 'admin', '--password-env', 'IOX_TEST_PASSWORD', '--json'], {
        env: { IOX_TEST_PASSWORD: wrong },
      }),
    ]);
    expect(human.code).toBe(3);
    expect(json.code).toBe(3);
    for (const run of [human, json]) expect(run.stdout + run.stderr).not.toContain(wrong);
    expect(human.stdout).toMatch(/● FAILED .*401/);
    const summary = ndjson(json.stdout).at(-1)!;
    expect(summary).toEqual(
      expect.objectContaining({
        type: 'summary',
        finalStatus: 'FAILED',
        lastError: expect.objectContaining({ code: 'AUTH_REJECTED' }),
      }),
    );
  });

  it('the right password connects; --filter keeps only matching events; --duration stops it (exit 0)', async () => {
    const run = await runCli(
      [
        sim.url,
        '--user',
        'admin',
        '--password-env',
        'IOX_TEST_PASSWORD',
        '--json',
        '--filter',
        'control=ST',
        '--quiet-ms',
        '200',
        '--duration',
        '2',
      ],
      {
        env: { IOX_TEST_PASSWORD: PASSWORD },
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(PASSWORD);
    const lines = ndjson(run.stdout);
    expect(lines.filter((l) => l.type === 'status').map((l) => l.status)).toEqual([
      'NOT_STARTED',
      'INITIALIZING',
      'SYNCING',
      'CONNECTED',
      'STOPPED',
    ]);
    const events = lines.filter((l) => l.type === 'event');
    expect(events.length).toBeGreaterThan(50);
    expect(events.every((e) => e.control === 'ST')).toBe(true);
  });

  it('--portal logs in through /api/login; with --path /api/events/subscribe the token goes in the first frame', async () => {
    const portalSim = await startSimulator({
      auth: { username: 'me@example.com', password: PASSWORD },
      speed: 20,
      liveEvents: false,
    });
    try {
      const args = [
        portalSim.url,
        '--portal',
        'me@example.com',
        '--password-env',
        'IOX_TEST_PASSWORD',
        '--json',
        '--quiet-ms',
        '200',
        '--duration',
        '1.5',
      ];
      const runs = await Promise.all([
        runCli(args, { env: { IOX_TEST_PASSWORD: PASSWORD } }),
        runCli([...args, '--path', '/api/events/subscribe'], { env: { IOX_TEST_PASSWORD: PASSWORD } }),
      ]);
      for (const run of runs) {
        expect(run.code).toBe(0);
        expect(run.stdout).not.toContain(PASSWORD);
        expect(ndjson(run.stdout).at(-1)).toEqual(
          expect.objectContaining({
            type: 'summary',
            statuses: ['NOT_STARTED', 'INITIALIZING', 'SYNCING', 'CONNECTED', 'STOPPED'],
          }),
        );
      }
      expect(portalSim.stats.upgrades).toBe(2);
    } finally {
      await portalSim.close();
    }
  });
});
