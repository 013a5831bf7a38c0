/**
 * The one renderer of `iox-events` and of the `npm start` demo: a timestamped status timeline and
 * one line per event for people, or NDJSON for programs. It only formats and writes; counting
 * lives in `watch.ts`, so the same summary can be rendered either way.
 */
import { describe, type DeliveryInfo, type IoxEvent } from '../dispatcher';
import type { ErrorSummary } from '../errors';
import type { EventStreamStatus } from '../machine/status';
import { paint, STATUS_STYLE, type Style } from './colors';
import { displayValue } from './eventText';
import { summaryRows, type RunSummary } from './summary';
import { jsonLine, terminalSafe } from './terminalText';

/** Where the renderer writes: `process.stdout` or anything with `write`. */
export interface Output {
  write(chunk: string): unknown;
}

/** Options of {@link Renderer}. */
export interface RendererOptions {
  out: Output;
  /** NDJSON instead of human lines. */
  json?: boolean;
  /** ANSI colours (human mode). Use {@link shouldColor} to decide. */
  color?: boolean;
  /** The output is a terminal: enables the SYNCING spinner (human mode). */
  tty?: boolean;
  /** Print each replayed event (marked `replay`) instead of only counting them (human mode). */
  showReplay?: boolean;
  /** Print times relative to this epoch-ms instant (`+12.345s`) instead of wall-clock time. */
  relativeTo?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Longest status name, for aligned columns. */
const STATUS_WIDTH = 12;
/** Formats a stream's statuses and events for people (timeline) or programs (NDJSON). */
export class Renderer {
  readonly #out: Output;
  readonly #json: boolean;
  readonly #color: boolean;
  readonly #tty: boolean;
  readonly #showReplay: boolean;
  readonly #relativeTo?: number;
  readonly #now: () => number;
  /** Status currently shown, to know when SYNCING ends. */
  #status: EventStreamStatus | null = null;
  /** Events replayed in the current SYNCING, and the nodes they touched. */
  #replayCount = 0;
  readonly #replayNodes = new Set<string>();
  #spinner: NodeJS.Timeout | undefined;
  #spinnerFrame = 0;
  #spinnerShown = false;

  constructor(options: RendererOptions) {
    this.#out = options.out;
    this.#json = options.json ?? false;
    this.#color = !this.#json && (options.color ?? false);
    this.#tty = !this.#json && (options.tty ?? false);
    this.#showReplay = options.showReplay ?? false;
    this.#relativeTo = options.relativeTo;
    this.#now = options.now ?? Date.now;
  }

  /** A status change (`previous` null for the initial status). */
  status(status: EventStreamStatus, previous: EventStreamStatus | null, error: ErrorSummary | null): void {
    const leavingSync = this.#status === 'SYNCING' && status !== 'SYNCING';
    this.#status = status;
    if (this.#json) {
      this.#emit({
        type: 'status',
        time: this.#iso(),
        status,
        previous,
        ...(error && (status === 'LOST' || status === 'FAILED')
          ? { error: { code: error.code, message: error.message, fingerprint256: error.fingerprint256 } }
          : {}),
      });
      return;
    }
    if (leavingSync) this.#endReplayCount();
    const name = this.#paint(status.padEnd(STATUS_WIDTH), ...STATUS_STYLE[status]);
    let detail = previous === null ? '' : this.#paint(`from ${previous}`, 'gray');
    if (error && (status === 'LOST' || status === 'FAILED')) {
      // An error message can quote the controller (a close reason): escaped like its events.
      detail = `${this.#paint(terminalSafe(error.message), status === 'FAILED' ? 'red' : 'yellow')} ${this.#paint(`[${terminalSafe(error.code ?? error.name)}]`, 'gray')}`;
    }
    this.#line(`${this.#time()}  ${this.#paint('●', ...STATUS_STYLE[status])} ${name} ${detail}`.trimEnd());
    if (status === 'SYNCING') {
      this.#replayCount = 0;
      this.#replayNodes.clear();
      this.#startSpinner();
    }
  }

  /** One event, already filtered. Replayed events are counted (or printed with `showReplay`). */
  event(event: IoxEvent, info: Pick<DeliveryInfo, 'replay'>): void {
    if (this.#json) {
      this.#emit({
        type: 'event',
        time: this.#iso(),
        replay: info.replay,
        node: event.node,
        control: event.control,
        action: event.action,
        ...(event.formattedAction !== undefined ? { formatted: event.formattedAction } : {}),
        ...(event.uom !== undefined ? { uom: event.uom } : {}),
        ...(event.prec !== undefined ? { prec: event.prec } : {}),
        ...(event.formattedName !== undefined ? { name: event.formattedName } : {}),
        ...(event.isSystem ? { system: true, label: describe(event.control, event.action) } : {}),
        seqnum: event.seqnum,
        sid: event.sid,
      });
      return;
    }
    if (info.replay) {
      this.#replayCount++;
      if (event.node !== '') this.#replayNodes.add(event.node);
      if (!this.#showReplay) return;
    }
    // Every field is controller text: shown with its control characters escaped.
    const node = event.isSystem
      ? this.#paint('(controller)'.padEnd(14), 'gray')
      : this.#paint(terminalSafe(event.node).padEnd(14), 'cyan');
    const control = this.#paint(terminalSafe(event.control).padEnd(5), 'bold');
    const name =
      event.formattedName && !event.isSystem ? this.#paint(`${terminalSafe(event.formattedName)} `, 'gray') : '';
    const marker = info.replay ? `  ${this.#paint('replay', 'dim')}` : '';
    const body = `${node} ${control} ${name}${terminalSafe(displayValue(event))}`;
    this.#line(`${this.#time()}    ${event.control === '_0' ? this.#paint(body, 'dim') : body}${marker}`);
  }

  /** A narration line (the demo's fault announcements). NDJSON: `{"type":"note"}`. */
  note(text: string): void {
    if (this.#json) {
      this.#emit({ type: 'note', time: this.#iso(), text });
      return;
    }
    this.#line(`${this.#time()}  ${this.#paint('▶', 'magenta', 'bold')} ${this.#paint(terminalSafe(text), 'bold')}`);
  }

  /** The final summary. */
  summary(summary: RunSummary): void {
    this.#stopSpinner();
    if (this.#json) {
      this.#emit({ type: 'summary', time: this.#iso(), ...summary });
      return;
    }
    const rows = summaryRows(summary, (text, ...styles) => this.#paint(text, ...styles));
    this.#line(this.#paint('── summary ' + '─'.repeat(50), 'gray'));
    for (const [label, value] of rows) this.#line(`  ${this.#paint(label.padEnd(11), 'bold')} ${value}`);
  }

  /** Stop the spinner timer (idempotent). Call before exiting. */
  close(): void {
    this.#stopSpinner();
  }

  #endReplayCount(): void {
    this.#stopSpinner();
    if (this.#showReplay && this.#replayCount === 0) return;
    const nodes = this.#replayNodes.size;
    this.#line(
      `${this.#time()}    ${this.#paint(`replay: ${this.#replayCount} status events for ${nodes} nodes (counted, not shown as live)`, 'blue')}`,
    );
  }

  #startSpinner(): void {
    if (!this.#tty || this.#showReplay) return;
    this.#stopSpinner();
    this.#spinner = setInterval(() => this.#drawSpinner(), 80);
    // A spinner must never keep the process alive.
    this.#spinner.unref();
    this.#drawSpinner();
  }

  #drawSpinner(): void {
    const frame = SPINNER[this.#spinnerFrame++ % SPINNER.length];
    this.#out.write(
      `\r\x1b[2K${this.#time()}    ${this.#paint(frame, 'blue')} syncing: ${this.#replayCount} status events replayed`,
    );
    this.#spinnerShown = true;
  }

  #stopSpinner(): void {
    if (this.#spinner) clearInterval(this.#spinner);
    this.#spinner = undefined;
    this.#clearSpinnerLine();
  }

  #clearSpinnerLine(): void {
    if (!this.#spinnerShown) return;
    this.#out.write('\r\x1b[2K');
    this.#spinnerShown = false;
  }

  #line(text: string): void {
    // A line printed while the spinner runs replaces it; the next tick draws it again below.
    this.#clearSpinnerLine();
    this.#out.write(`${text}\n`);
  }

  #emit(object: Record<string, unknown>): void {
    this.#out.write(`${jsonLine(object)}\n`);
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }

  #time(): string {
    const now = this.#now();
    if (this.#relativeTo !== undefined)
      return this.#paint(`+${((now - this.#relativeTo) / 1000).toFixed(3).padStart(7)}s`, 'gray');
    const d = new Date(now);
    const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
    return this.#paint(
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`,
      'gray',
    );
  }

  #paint(text: string, ...styles: Style[]): string {
    return paint(this.#color, text, ...styles);
  }
}
