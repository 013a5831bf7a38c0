// A small browser app on the installed package, bundled by esbuild for the browser test. The
// test drives it through `window.iox` and reads its state back as plain data.
import { createEventStream, LocalAuth, TokenAuth } from 'iox-event-stream';

const logs = [];
const logger = {
  debug() {},
  info() {},
  warn: (...args) => logs.push(`warn ${args.map(String).join(' ')}`),
  error: (...args) => logs.push(`error ${args.map(String).join(' ')}`),
};

let stream;
const statuses = [];
const counts = { replay: 0, live: 0, liveProperties: 0 };

window.iox = {
  start(url, token) {
    stream = createEventStream({
      url,
      path: '/api/events/subscribe',
      auth: new TokenAuth({ token }),
      quietMs: 200,
      backoffMs: [100],
      logger,
    });
    stream.onStatus((status) => statuses.push(status));
    stream.onEvent((_event, info) => (info.replay ? counts.replay++ : counts.live++));
    stream.onProperty((_change, info) => {
      if (!info.replay) counts.liveProperties++;
    });
    stream.start();
  },

  waitFor(status, timeoutMs) {
    return stream.waitFor(status, { timeoutMs }).then(
      () => 'ok',
      (error) => `${error.name} ${error.code}: ${error.message}`,
    );
  },

  state() {
    return {
      status: stream.status,
      statuses: [...statuses],
      counts: { ...counts },
      dispatcher: JSON.parse(JSON.stringify(stream.dispatcher.stats)),
      lastError: stream.lastError,
      logs: [...logs],
      mirror: [...stream.mirror.nodes].map(([node, properties]) => [
        node,
        [...properties].map(([control, p]) => [
          control,
          { value: p.value, uom: p.uom, prec: p.prec, formatted: p.formatted },
        ]),
      ]),
    };
  },

  async stop() {
    const started = performance.now();
    await stream.stop();
    return performance.now() - started;
  },

  /** A stream a browser cannot serve: Basic auth needs a request header. */
  async tryLocalAuth(url) {
    const local = createEventStream({ url, auth: new LocalAuth('admin', 'secret'), backoffMs: [100], logger });
    local.start();
    const outcome = await local.waitFor('CONNECTED', { timeoutMs: 1500 }).then(
      () => 'CONNECTED',
      (error) => error.code,
    );
    const lastError = local.lastError;
    await local.stop();
    return { outcome, lastError };
  },
};
