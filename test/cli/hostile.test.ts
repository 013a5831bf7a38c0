/**
 * Text that reaches a person or a program: controller text never reaches a terminal raw, NDJSON
 * stays valid JSON, `--filter` is case-insensitive / repeatable / strict, the simulator's
 * end-of-run check is not printed as live, and a missing-credentials verdict says how to give them.
 */
import { parseCommand } from '../../src/cli/args';
import { parseFilter } from '../../src/cli/filter';
import { UsageError } from '../../src/cli/usageError';
import { Renderer } from '../../src/cli/render';
import { jsonLine, terminalSafe } from '../../src/cli/terminalText';
import { matchesFilter } from '../../src/cli/watch';
import { createEventStream, type EventStream } from '../../src';
import { parseEventFrame } from '../../src/dispatcher';
import { eventFrame, heartbeatFrame, ScriptedServer, until } from '../helpers/scriptedServer';
import { ndjson, runCli } from './spawn';

/** Any C0 control but LF, DEL, C1, or a bidi/format character: what must never reach a terminal raw. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const HOSTILE_FMT = '&#x1b;]2;X&#x7;&#x1b;[2J&#x9b;31m&#x202e;txt.exe';

function capture(): { out: { write(chunk: string): void }; text: () => string } {
  let text = '';
  return { out: { write: (chunk: string) => void (text += chunk) }, text: () => text };
}

describe('terminal escape injection', () => {
  const event = parseEventFrame(eventFrame('ST', '1', '1A 2B 3C 1', { fmtAct: HOSTILE_FMT }))!;

  test('the frame really carries ESC, BEL, CSI and RLO after decoding', () => {
    expect(event.formattedAction).toBe('\x1b]2;X\x07\x1b[2J\x9b31m\u202etxt.exe');
  });

  test('human mode: escaped and visible; no raw control character reaches the output', () => {
    const sink = capture();
    const renderer = new Renderer({ out: sink.out, now: () => 0 });
    renderer.event(event, { replay: false });
    renderer.status('LOST', 'CONNECTED', {
      name: 'SocketClosed',
      code: 'SOCKET_CLOSED',
      message: 'closed: \x1b[2Jbye\x07',
    });
    renderer.note('note \x1b]0;t\x07');
    renderer.close();
    expect(sink.text()).not.toMatch(RAW_CONTROL);
    expect(sink.text()).toContain('\\x1b]2;X\\x07\\x1b[2J\\x9b31m\\u202etxt.exe');
    expect(sink.text()).toContain('closed: \\x1b[2Jbye\\x07');
  });

  test('NDJSON: valid JSON carrying the exact text, with no raw control character', () => {
    const sink = capture();
    const renderer = new Renderer({ out: sink.out, json: true, now: () => 0 });
    renderer.event(event, { replay: false });
    expect(sink.text()).not.toMatch(RAW_CONTROL);
    const [line] = ndjson(sink.text());
    expect(line.formatted).toBe(event.formattedAction);
    expect(JSON.parse(jsonLine({ s: '\u0085\u2028\x7f' }))).toEqual({ s: '\u0085\u2028\x7f' });
    expect(terminalSafe('a\tb\r\nc')).toBe('a\\x09b\\x0d\\x0ac');
  });
});

describe('--filter', () => {
  test('case-insensitive, whitespace-tolerant node and control', () => {
    const plan = parseCommand(['--simulate', '--filter', 'node=1a 2b  3c 1,control=st']);
    expect(plan.kind === 'run' && plan.plan.filter).toEqual([{ node: '1A 2B 3C 1', control: 'ST' }]);
    expect(matchesFilter([{ node: '1A 2B 3C 1', control: 'ST' }], '1A 2B 3C 1', 'ST')).toBe(true);
    expect(matchesFilter(parseFilters('node=n003_kitchen'), 'N003_Kitchen', 'ST')).toBe(true);
  });

  test('a repeated flag is OR-ed', () => {
    const filters = parseFilters('control=DON', 'node=1A 2B 3C 1');
    expect(matchesFilter(filters, '9 9 9 1', 'DON')).toBe(true);
    expect(matchesFilter(filters, '1A 2B 3C 1', 'ST')).toBe(true);
    expect(matchesFilter(filters, '9 9 9 1', 'ST')).toBe(false);
    expect(matchesFilter([], '9 9 9 1', 'ST')).toBe(true);
  });

  test.each(['control=S T', 'control=ST,', 'node=A,node=B', 'node=1A\x1b 2B', 'kind=status', 'control='])(
    'malformed %j is a usage error',
    (text) => {
      expect(() => parseFilter(text)).toThrow(UsageError);
      expect(() => parseCommand(['--simulate', '--filter', 'control=ST', '--filter', text])).toThrow(UsageError);
    },
  );

  test('the CLI exits 2 on a malformed filter', async () => {
    const run = await runCli(['--simulate', '--filter', 'control=S T']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/--filter/);
  });
});

function parseFilters(...texts: string[]) {
  return texts.map(parseFilter);
}

describe('iox-events against a loopback controller', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await ScriptedServer.start();
  });
  afterEach(async () => {
    await server.close();
  });

  test('human mode: a hostile fmtAct reaches stdout escaped', async () => {
    server.onConnection = (ws) => {
      ws.send(heartbeatFrame(90, 0));
      setTimeout(() => ws.send(eventFrame('ST', '1', '1A 2B 3C 1', { seqnum: 1, fmtAct: HOSTILE_FMT })), 400);
    };
    const run = await runCli([server.url, '--duration', '2', '--quiet-ms', '100']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\\x1b]2;X\\x07');
    expect(run.stdout + run.stderr).not.toMatch(RAW_CONTROL);
  });

  test('no credentials against a controller that wants them: says so and names --user / --portal (exit 3)', async () => {
    server.verdict = () => ({ kind: 'reject', status: 401 });
    const run = await runCli([server.url]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/requires credentials/);
    expect(run.stdout).toMatch(/--user NAME/);
    expect(run.stdout).toMatch(/--portal EMAIL/);
    expect(run.stdout).not.toMatch(/new LocalAuth|rejected/);
    expect(server.upgrades.length).toBeLessThanOrEqual(2);
  });
});

describe('the library without auth', () => {
  let server: ScriptedServer;
  let stream: EventStream | undefined;
  afterEach(async () => {
    await stream?.stop();
    await server.close();
  });

  test('a 401 fails with "credentials required", not "credentials rejected"', async () => {
    server = await ScriptedServer.start();
    server.verdict = () => ({ kind: 'reject', status: 401 });
    stream = createEventStream({ url: server.url, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    stream.start();
    await until(() => stream!.status === 'FAILED', 5000, 'FAILED');
    expect(stream.lastError?.message).toMatch(/requires credentials .* none were given: pass `auth`/);
  });
});

describe('iox-events --simulate end-of-run check', () => {
  test('its sentinel change (GV99) is not printed as a live event', async () => {
    const run = await runCli(['--simulate', '--duration', '2', '--json', '--filter', 'control=GV99']);
    expect(run.code).toBe(0);
    const lines = ndjson(run.stdout);
    expect(lines.filter((l) => l.type === 'event')).toEqual([]);
    expect(lines.at(-1)).toEqual(expect.objectContaining({ type: 'summary', mirrorMatchesTruth: true }));
  });
});
