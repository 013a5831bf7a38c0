import type { Logger } from '../logger';

/** What replaces a secret. Short and greppable. */
export const REDACTED = '[REDACTED]';

/**
 * Object keys whose values are secrets whatever they look like. Matched case-insensitively
 * against the whole key with `-`/`_` removed, so `access_token`, `accessToken` and
 * `Access-Token` are all caught. `ssl` is here because the portal's login response carries a
 * private key pair under `data.ssl`.
 */
const SECRET_KEYS = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'secret',
  'clientsecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'jwt',
  'bearer',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'apikey',
  'privatekey',
  'ssl',
  'creds',
  'credentials',
]);

function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.replace(/[-_\s]/g, '').toLowerCase());
}

// A key name from SECRET_KEYS as it may appear in free text (JSON, query strings, `key=value` logs).
const KEY_ALTERNATION =
  'pass(?:word|wd)?|pwd|(?:client[-_]?)?secret|(?:access|refresh|id)[-_]?token|token|jwt|api[-_]?key|private[-_]?key|creds|credentials|cookie';

type Replacer = string | ((match: string, ...groups: string[]) => string);

/** Each pass rewrites one family of secret. Order matters: specific shapes before generic ones. */
const STRING_RULES: ReadonlyArray<readonly [RegExp, Replacer]> = [
  // PEM private keys (the `ssl` pair of the login response, or anything else).
  [
    /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    `${REDACTED} private key`,
  ],
  // `"ssl": { ... }` inside JSON text: the whole object (one nesting level is what the portal sends).
  [/("ssl"\s*:\s*)\{(?:[^{}]|\{[^{}]*\})*\}/gi, `$1"${REDACTED}"`],
  // `Authorization: <scheme> <credentials>` header lines, with or without quotes (JSON-ish dumps).
  [
    /((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|digest|token)\s+)?[^\s"',;}]+/gi,
    (_match, prefix: string, scheme: string | undefined) => `${prefix}${scheme ? `${scheme} ` : ''}${REDACTED}`,
  ],
  // A bare scheme + credentials anywhere else.
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  // JSON string values under secret keys: "password": "..."
  [new RegExp(`("(?:${KEY_ALTERNATION})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1"${REDACTED}"`],
  // key=value / key: value in query strings, form bodies and log lines.
  [new RegExp(`\\b((?:${KEY_ALTERNATION})\\s*[=:]\\s*)(?!\\[REDACTED)[^\\s&"',;}]+`, 'gi'), `$1${REDACTED}`],
  // Anything that looks like a JWT (header starts with `{"` → base64url `eyJ`).
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, `${REDACTED} jwt`],
  // Credentials embedded in a URL: scheme://user:pass@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi, `$1${REDACTED}@`],
];

/** Scrub a string. Also removes the exact `known` secrets (a password that looks like any word). */
function redactString(text: string, known: readonly string[]): string {
  let out = text;
  for (const secret of known) {
    // Very short "secrets" would shred ordinary text; the patterns below still catch them in context.
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of STRING_RULES) {
    // Two calls because TypeScript's `replace` overloads do not accept the union.
    out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out;
}

function redactValue(value: unknown, known: readonly string[], seen: WeakMap<object, unknown>, depth: number): unknown {
  if (typeof value === 'string') return redactString(value, known);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  if (depth > 8) return '[Object]';

  if (value instanceof Error) {
    // Errors become plain objects: their `message` and `cause` are scrubbed like everything else,
    // and no accidental own property (a request's headers, say) survives unredacted.
    const e = value as Error & { code?: unknown; status?: unknown; cause?: unknown };
    const out: Record<string, unknown> = { name: e.name, message: redactString(e.message, known) };
    seen.set(value, out);
    if (e.code !== undefined) out.code = redactValue(e.code, known, seen, depth + 1);
    if (e.status !== undefined) out.status = e.status;
    if (e.cause !== undefined) out.cause = redactValue(e.cause, known, seen, depth + 1);
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(redactValue(item, known, seen, depth + 1));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [k, v] of value) {
      out.set(k, typeof k === 'string' && isSecretKey(k) ? REDACTED : redactValue(v, known, seen, depth + 1));
    }
    return out;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    // Binary payloads are never useful in a log and may hold anything.
    return `[binary ${value.byteLength} bytes]`;
  }
  // Headers-like objects (fetch `Headers`) iterate as [key, value] pairs.
  const maybeHeaders = value as { forEach?: unknown; entries?: unknown };
  if (
    typeof maybeHeaders.entries === 'function' &&
    typeof maybeHeaders.forEach === 'function' &&
    !(value instanceof Set)
  ) {
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const [k, v] of (value as { entries(): Iterable<[string, unknown]> }).entries()) {
      out[k] = isSecretKey(k) ? REDACTED : redactValue(v, known, seen, depth + 1);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) ? REDACTED : redactValue(v, known, seen, depth + 1);
  }
  return out;
}

/**
 * Remove secrets from anything about to be logged or shown: passwords, bearer/basic
 * credentials, JWT-looking strings, `Authorization` headers, private keys and the portal's
 * `ssl` key pair. Strings are scrubbed by pattern; objects are copied (never mutated) with
 * values under secret-sounding keys replaced and every string scrubbed; `Error`s become plain
 * `{ name, message, code?, status?, cause? }` objects.
 *
 * @param value - What to scrub.
 * @param knownSecrets - Exact strings to remove wherever they appear (e.g. a password, which no
 *   pattern can recognise in free text).
 * @returns A scrubbed copy (the same type for strings).
 *
 * @example
 * ```ts
 * redact('Authorization: Bearer eyJhbGciOi...'); // 'Authorization: Bearer [REDACTED]'
 * redact({ username: 'me', password: 'hunter2' }); // { username: 'me', password: '[REDACTED]' }
 * ```
 */
export function redact(value: string, knownSecrets?: readonly string[]): string;
export function redact<T>(value: T, knownSecrets?: readonly string[]): unknown;
export function redact(value: unknown, knownSecrets: readonly string[] = []): unknown {
  return redactValue(value, knownSecrets, new WeakMap(), 0);
}

/**
 * Wrap a logger so that every message and detail passes through {@link redact} first.
 *
 * @param logger - The logger to protect.
 * @param knownSecrets - Called on every log call, so it can return secrets that change
 *   (the current access token) as well as fixed ones (a password).
 */
export function redactingLogger(logger: Logger, knownSecrets: () => readonly string[] = () => []): Logger {
  const wrap =
    (level: keyof Logger) =>
    (message: string, ...details: unknown[]): void => {
      // A logger (or a secrets callback) that throws must not fail the auth step that logs.
      try {
        const known = knownSecrets();
        logger[level](redact(String(message), known), ...details.map((d) => redact(d, known)));
      } catch {
        // Nowhere left to report it.
      }
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
