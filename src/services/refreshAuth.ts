import { fromPromise } from 'xstate';
import type { Auth } from '../auth/types';

/** After a 401: ask the auth strategy whether it repaired the credentials (true = retry once). */
export function createRefreshAuthActor(auth: Auth) {
  return fromPromise<boolean, void>(() => auth.handleUnauthorized());
}
