import type { Auth } from './types';

/**
 * HTTP Basic credentials for the controller's local listener (`https://host:8443`).
 * A 401 with Basic credentials cannot be repaired by retrying, so `handleUnauthorized()`
 * resolves `false` and the stream goes to FAILED instead of hammering the controller.
 */
export class LocalAuth implements Auth {
  readonly #authorization: string;
  /** The controller user name (not a secret; shown by `inspect`). */
  readonly username: string;

  constructor(username: string, password: string) {
    if (typeof username !== 'string' || typeof password !== 'string') {
      throw new TypeError('LocalAuth needs a username and a password (strings)');
    }
    this.username = username;
    this.#authorization = `Basic ${base64Utf8(`${username}:${password}`)}`;
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

/** Base64 of the UTF-8 bytes (RFC 7617), with what Node and browsers both have (no `Buffer`). */
function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
