/**
 * The library's error messages name its options (`auth`, `tls: { fingerprint256 }`); a person at
 * the command line needs the flags instead. Verdicts the CLI can explain are reworded here, once,
 * for the timeline and the summary alike.
 */
import type { ErrorSummary } from '../errors';
import type { RunPlan } from './args';

/** The CLI's wording of `error` for this run, or `error` itself. */
export function explainForCli(error: ErrorSummary, plan: RunPlan): ErrorSummary {
  if (error.code === 'AUTH_REJECTED' && error.status === 401 && plan.auth.kind === 'none' && !plan.simulate) {
    return reworded(
      error,
      'the controller requires credentials (HTTP 401) and none were given: add --user NAME (the password comes from --password-env VAR or a prompt), or --portal EMAIL for a portal account',
    );
  }
  if (error.code === 'TLS_FAILED') {
    const fingerprint = error.fingerprint256;
    const pin =
      fingerprint === undefined
        ? 'pin it with --fingerprint SHA256'
        : `${plan.fingerprint === undefined ? 'pin it' : 'update the pin'}: --fingerprint ${fingerprint}`;
    return reworded(
      error,
      `the controller's certificate failed verification (${tlsReason(error.message)}). If it is your controller's own certificate, ${pin}, or trust the CA that signed it with --ca FILE`,
    );
  }
  return error;
}

/** The reason part of the library's TLS message (`... was rejected: <reason>. If ...`). */
function tlsReason(message: string): string {
  const match = /rejected: (.+?)\.(?: |$)/.exec(message);
  return match?.[1] ?? message;
}

function reworded(error: ErrorSummary, message: string): ErrorSummary {
  return { name: error.name, code: error.code, message, status: error.status, fingerprint256: error.fingerprint256 };
}
