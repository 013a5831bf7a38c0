/**
 * The silence (seconds) a `_0` heartbeat promises, from its action text: a positive number
 * (`90` on an eisy, `120` on an ISY994, a fraction from an accelerated simulator), else `undefined`.
 */
export function heartbeatPromise(action: string): number | undefined {
  const seconds = Number(action.trim());
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}
