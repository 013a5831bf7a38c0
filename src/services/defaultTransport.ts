/** The transport a stream uses unless `options.transport` says otherwise: Node's, built on `ws`. */
export { nodeTransport as defaultTransport } from './nodeTransport';
