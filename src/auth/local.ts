import type { Auth } from './types';

/**
 * HTTP Basic credentials for the controller's local listener (`https://host:8443`).
 * A 401 with Basic credentials cannot be repaired by retrying, so `handleUnauthorized()`
 * resolves `false` and the stream goes to FAILED instead of hammering the controller.
 */
export class LocalAuth implements Auth {
  readonly #authorization: string;
  readonly username: string;

  constructor(username: string, password: string) {
    if (typeof username !== 'string' || typeof password !== 'string') {
      throw new TypeError('LocalAuth needs a username and a password (strings)');
    }
    this.username = username;
    this.#authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }

  headers(): Record<string, string> {
    return { Authorization: this.#authorization };
  }

  async handleUnauthorized(): Promise<boolean> {
    return false;
  }

  /** Keep the password out of `console.log(auth)` and `util.inspect`. */
  toJSON(): object {
    return { type: 'LocalAuth', username: this.username };
  }
}
