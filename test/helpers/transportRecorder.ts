import type { TransportListener } from '../../src/services/transport';

/**
 * A transport listener that records every call as one line (`opened`, `frame <text>`,
 * `failed <code> <message>`, `closed <code> <reason>`), for tests that compare the whole sequence.
 * `when(...prefixes)` resolves once a line starting with one of them is recorded, bounded at 2 s so
 * that a missing call fails the test instead of hanging it.
 */
export function transportRecorder() {
  const calls: string[] = [];
  const listener: TransportListener = {
    opened: () => calls.push('opened'),
    frame: (text) => calls.push(`frame ${text}`),
    failed: (error) => calls.push(`failed ${(error as { code?: string }).code} ${error.message}`),
    closed: (code, reason) => calls.push(`closed ${code} ${reason}`),
  };
  const when = async (...prefixes: string[]): Promise<void> => {
    const deadline = Date.now() + 2000;
    while (!calls.some((call) => prefixes.some((prefix) => call.startsWith(prefix)))) {
      if (Date.now() > deadline) throw new Error(`no ${prefixes.join(' or ')} within 2 s; calls: ${calls.join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return { calls, listener, when };
}
