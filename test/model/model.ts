/** The model-based suite uses the same chart model that `iox-event-stream/testing` is built on: one source, no drift. */
export * from '../../src/testing/model';
