import type { Auth } from '../index';

/**
 * The harness's `Auth`: every answer (headers for a connect attempt, the verdict on a 401, the
 * token for an opening frame) waits until the path's step decides it, so one attempt's outcome is
 * chosen by the step that follows its start.
 */

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // An attempt abandoned by STOP or a timeout never reads its answer: that is not an error here.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export class ControlledAuth implements Auth {
  headersRequest: Deferred<Record<string, string>> | null = null;
  refreshRequest: Deferred<boolean> | null = null;
  /** The next opening frame waits for a token that never comes (a slow token source). */
  slowToken = false;
  openingRequest: Deferred<string | undefined> | null = null;

  openingFrame(): Promise<string | undefined> | undefined {
    if (!this.slowToken) return undefined;
    this.slowToken = false;
    this.openingRequest = deferred();
    return this.openingRequest.promise;
  }

  headers(): Promise<Record<string, string>> {
    // A new attempt supersedes an abandoned one's request.
    this.headersRequest?.reject(new Error('superseded'));
    this.headersRequest = deferred();
    return this.headersRequest.promise;
  }

  handleUnauthorized(): Promise<boolean> {
    this.refreshRequest?.reject(new Error('superseded'));
    this.refreshRequest = deferred();
    return this.refreshRequest.promise;
  }

  takeHeaders(): Deferred<Record<string, string>> | null {
    const request = this.headersRequest;
    this.headersRequest = null;
    return request;
  }

  takeRefresh(): Deferred<boolean> | null {
    const request = this.refreshRequest;
    this.refreshRequest = null;
    return request;
  }

  abandonAll(): void {
    this.takeHeaders()?.reject(new Error('path over'));
    this.takeRefresh()?.reject(new Error('path over'));
    this.openingRequest?.reject(new Error('path over'));
    this.openingRequest = null;
  }
}
