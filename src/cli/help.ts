/** What `iox-events --help` tells the user: the usage text and the exit codes it documents. */
import { DEFAULT_SIMULATE_SPEED } from './args';
import { MQTT_HELP } from './mqttArgs';

/** Process exit codes, documented in `--help` and the README. */
export const ExitCode = {
  /** Stopped normally: Ctrl-C, SIGTERM or `--duration` elapsed. */
  OK: 0,
  /** A runtime failure: an unexpected error, an unreadable `--ca` file, the simulator failed to start. */
  RUNTIME: 1,
  /** A usage error: bad or missing arguments, no password available. */
  USAGE: 2,
  /** The stream went FAILED: credentials rejected, or `--max-attempts` reached. */
  FAILED: 3,
} as const;

/** The `--help` text. */
export function helpText(name = 'iox-events'): string {
  return `Watch the event stream of a Universal Devices IoX controller (eisy, Polisy, ISY).

Usage:
  ${name} URL [--user NAME [--password-env VAR]] [options]
  ${name} URL --portal EMAIL [--password-env VAR] [options]
  ${name} --simulate [options]

  URL                    controller base URL, e.g. https://eisy.local:8443

Authentication (the password is read from an environment variable or a prompt, never argv):
  -u, --user NAME        local Basic auth user (e.g. admin)
      --portal EMAIL     portal account login (tokens from /api/login)
      --password-env VAR read the password from environment variable VAR;
                         without it you are prompted (no echo) when stdin is a terminal

Connection:
      --path PATH        stream endpoint (default /rest/subscribe; /api/events/subscribe
                         is the JSON-envelope stream)
      --fingerprint SHA  pin the controller certificate by SHA-256 (AA:BB:... or hex)
      --ca FILE          trust this CA / self-signed certificate (PEM)
  -k, --insecure         do not verify the certificate at all (prefer --fingerprint)
      --quiet-ms MS      quiet time that ends the connect-time replay (default 1000)
      --heartbeat-grace-ms MS  silence tolerated beyond the heartbeat promise (default 5000)
      --max-attempts N   give up (exit 3) after N consecutive failed attempts

Output:
      --json             NDJSON: one object per status change and per event, then a summary
      --filter F         only events matching F: node=ADDRESS and/or control=ID, comma-separated
                         (e.g. --filter "node=1A 2B 3C 1,control=ST"); case does not matter;
                         repeat it to show events matching any of the filters
      --show-replay      print every replayed status line (marked replay) instead of a count
  -v, --verbose          library log lines on stderr (secrets redacted)

${MQTT_HELP}
Other:
      --simulate         run against the built-in simulator (a house of ~150 nodes)
      --speed N          simulator time compression with --simulate (default ${DEFAULT_SIMULATE_SPEED})
      --duration SEC     stop by itself after SEC seconds
  -h, --help             this help
  -V, --version          the version

Runs until Ctrl-C (or SIGTERM), then stops the stream cleanly and prints a summary.

Exit codes:
  0  stopped normally (Ctrl-C, SIGTERM, --duration)
  1  runtime failure (unexpected error, unreadable --ca file, ...)
  2  usage error (bad arguments, no password available)
  3  the stream FAILED: credentials rejected, or --max-attempts reached
`;
}
