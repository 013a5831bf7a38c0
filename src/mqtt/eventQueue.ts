/**
 * The bridge's queue of live events waiting for the broker (unreachable, or slower than the
 * controller): a fixed-size FIFO that overwrites its oldest element when full, so an outage costs
 * the oldest events, counted, never unbounded memory.
 */
export class EventQueue {
  readonly #items: (string | undefined)[];
  #head = 0;
  #size = 0;
  constructor(readonly capacity: number) {
    this.#items = new Array<string | undefined>(capacity);
  }
  get size(): number {
    return this.#size;
  }
  /** Returns true when the oldest element was dropped to make room. */
  push(item: string): boolean {
    if (this.capacity === 0) return true;
    const full = this.#size === this.capacity;
    this.#items[(this.#head + this.#size) % this.capacity] = item;
    if (full) this.#head = (this.#head + 1) % this.capacity;
    else this.#size++;
    return full;
  }
  shift(): string | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    return item;
  }
}
