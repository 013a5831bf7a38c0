import { fromPromise } from 'xstate';
import type { Auth } from '../auth/types';
import { untilAborted } from './abort';

/**
 * After a 401: ask the auth strategy whether it repaired the credentials (true = retry once).
 * Leaving the state (STOP, timeout) aborts the strategy's requests.
 */
export function createRefreshAuthActor(auth: Auth) {
  return fromPromise<boolean, void>(({ signal }) => untilAborted(auth.handleUnauthorized(signal), signal));
}
