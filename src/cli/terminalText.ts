/**
 * Text from the controller (names, values, close reasons) and from errors is data, not terminal
 * commands. A raw ESC or BEL in it can retitle the window, clear the screen or forge lines
 * (`<fmtAct>&#x1b;]2;X&#x7;</fmtAct>`), so everything the CLI prints for people goes through
 * {@link terminalSafe}, and NDJSON through {@link jsonLine}.
 */

/**
 * C0 controls (ESC, BEL, CR, LF, TAB, ...), DEL, C1 controls (0x80–0x9f: 0x9b is a one-byte CSI
 * on some terminals), and the Unicode format characters that reorder or hide text (bidi
 * embeddings, overrides and isolates; line and paragraph separators).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control or reordering character shown as a visible escape (`\x1b`, `\u202e`). */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/**
 * One NDJSON line. `JSON.stringify` escapes C0 controls but leaves DEL, C1 controls and U+2028/9
 * raw; these are escaped too (`\u009b`), which is the same JSON value.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
