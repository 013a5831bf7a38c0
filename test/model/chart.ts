/** The chart's state nodes and transitions, from the same module `iox-event-stream/testing` is built on. */
export * from '../../src/testing/chart';
