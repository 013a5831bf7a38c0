/** Browser build of `defaultTransport.ts`: the DOM `WebSocket`. */
export { browserTransport as defaultTransport } from './browserTransport';
