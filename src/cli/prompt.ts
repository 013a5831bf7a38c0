/**
 * Reading a password from the terminal without echoing it. Nothing typed is ever written back,
 * not even as `*`, so a screen recording or a shoulder does not learn its length either.
 */

/** The terminal side of stdin that the prompt needs (a subset of `tty.ReadStream`). */
export interface PromptInput {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** The user pressed Ctrl-C (or Ctrl-D on an empty line) at the prompt. */
export class PromptCancelled extends Error {
  constructor() {
    super('password prompt cancelled');
    this.name = 'PromptCancelled';
  }
}

/**
 * Ask for a password on `output` (stderr, so stdout stays clean for `--json`) and read it from a
 * terminal `input` in raw mode, without echo. Handles backspace; Enter ends it.
 *
 * @throws PromptCancelled on Ctrl-C, or Ctrl-D on an empty line.
 */
export function promptPassword(
  question: string,
  input: PromptInput,
  output: { write(s: string): unknown },
): Promise<string> {
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    return Promise.reject(new Error('cannot prompt: stdin is not a terminal'));
  }
  const setRaw = input.setRawMode.bind(input);
  output.write(question);
  return new Promise<string>((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error): void => {
      input.off('data', onData);
      setRaw(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new PromptCancelled());
        if (ch === '\u0004') {
          if (typed === '') return finish(new PromptCancelled());
          return finish();
        }
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else if (ch >= ' ') typed += ch;
      }
    };
    setRaw(true);
    input.on('data', onData);
    input.resume();
  });
}
