/** In-process checks of the pieces the spawned tests cannot see well: parsing, the prompt, the renderer. */
import { EventEmitter } from 'node:events';
import { parseCommand } from '../../src/cli/args';
import { parseFilter } from '../../src/cli/filter';
import { UsageError } from '../../src/cli/usageError';
import { promptPassword, PromptCancelled } from '../../src/cli/prompt';
import { shouldColor } from '../../src/cli/colors';
import { Renderer } from '../../src/cli/render';

describe('parseCommand', () => {
  it('builds a plan for a controller with local auth and TLS pinning', () => {
    const fp = 'AB:'.repeat(31) + 'AB';
    const command = parseCommand([
      'https://eisy.local:8443',
      '--user',
      'admin',
      '--password-env',
      'IOX_PASSWORD',
      '--fingerprint',
      fp,
      '--filter',
      'node=1A 2B 3C 1,control=ST',
      '--json',
    ]);
    expect(command).toEqual({
      kind: 'run',
      plan: expect.objectContaining({
        url: 'https://eisy.local:8443',
        auth: { kind: 'local', user: 'admin', password: { kind: 'env', variable: 'IOX_PASSWORD' } },
        fingerprint: fp,
        filter: [{ node: '1A 2B 3C 1', control: 'ST' }],
        json: true,
        simulate: false,
      }),
    });
  });

  it('prompts when no --password-env is given, and never accepts a password value', () => {
    expect(parseCommand(['https://eisy.local', '--portal', 'me@example.com'])).toEqual({
      kind: 'run',
      plan: expect.objectContaining({
        auth: { kind: 'portal', email: 'me@example.com', password: { kind: 'prompt' } },
      }),
    });
    for (const argv of [
      ['https://x', '-p', 'pw'],
      ['https://x', '-ppw'],
      ['https://x', '--password=pw'],
    ]) {
      expect(() => parseCommand(argv)).toThrow(UsageError);
      try {
        parseCommand(argv);
      } catch (error) {
        expect((error as Error).message).not.toMatch(/\bpw\b/);
      }
    }
  });

  it('--help and --version win over everything else', () => {
    expect(parseCommand(['--help', '--simulate', 'x'])).toEqual({ kind: 'help' });
    expect(parseCommand(['-V'])).toEqual({ kind: 'version' });
  });

  it('parseFilter accepts either part and rejects anything else', () => {
    expect(parseFilter('control=ST')).toEqual({ control: 'ST' });
    expect(parseFilter(' node = 1A 2B 3C 1 ')).toEqual({ node: '1A 2B 3C 1' });
    expect(() => parseFilter('node=')).toThrow(UsageError);
    expect(() => parseFilter('uom=100')).toThrow(UsageError);
  });
});

describe('promptPassword', () => {
  class FakeTty extends EventEmitter {
    isTTY = true;
    raw: boolean[] = [];
    setRawMode(mode: boolean): void {
      this.raw.push(mode);
    }
    resume(): void {}
    pause(): void {}
  }

  it('reads without echo, handles backspace, restores the terminal', async () => {
    const input = new FakeTty();
    let written = '';
    const answer = promptPassword('Password: ', input, { write: (s: string) => (written += s) });
    input.emit('data', Buffer.from('sekr'));
    input.emit('data', Buffer.from('x\u007fet\r'));
    await expect(answer).resolves.toBe('sekret');
    expect(written).toBe('Password: \n');
    expect(input.raw).toEqual([true, false]);
  });

  it('Ctrl-C cancels', async () => {
    const input = new FakeTty();
    const answer = promptPassword('Password: ', input, { write: () => {} });
    input.emit('data', '\u0003');
    await expect(answer).rejects.toBeInstanceOf(PromptCancelled);
  });
});

describe('Renderer', () => {
  it('colours only a terminal without NO_COLOR', () => {
    expect(shouldColor(true, {})).toBe(true);
    expect(shouldColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor(false, {})).toBe(false);
  });

  it('human mode counts the replay on one line when SYNCING ends (not a TTY)', () => {
    let out = '';
    const r = new Renderer({ out: { write: (s: string) => (out += s) }, now: () => Date.UTC(2025, 0, 1) });
    const event = {
      seqnum: 0,
      sid: 'uuid:1',
      timestamp: '',
      control: 'ST',
      action: '255',
      node: '1A 2B 3C 1',
      formattedAction: 'On',
      eventInfo: '',
      eventInfoText: '',
      isSystem: false,
      isProperty: true,
    };
    r.status('SYNCING', 'INITIALIZING', null);
    r.event(event, { replay: true });
    r.event({ ...event, node: '1A 2B 3C 2' }, { replay: true });
    r.status('CONNECTED', 'SYNCING', null);
    r.event(event, { replay: false });
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/replay: 2 status events for 2 nodes/);
    expect(lines[3]).toMatch(/1A 2B 3C 1 +ST +On$/);
  });
});
