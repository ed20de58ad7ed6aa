import type { ProblemDetails, ProblemFieldError } from './types';

/** An error answered by the API (non-2xx). Carries the parsed problem document. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails;
  readonly retryAfterSeconds?: number;

  constructor(status: number, problem: ProblemDetails, retryAfterSeconds?: number) {
    super(problemMessage(status, problem));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * Field-level messages keyed by field name (see fieldErrors). A problem without
   * `errors` but with a `field` extension member (e.g. a 409 "this e-mail is
   * already taken" with field "email") maps its detail to that field.
   */
  get fieldErrors(): Record<string, string> {
    const out = fieldErrors(this.problem.errors);
    const field = this.problem.field;
    if (Object.keys(out).length === 0 && typeof field === 'string' && field) {
      out[fieldName(field)] = capitalise(this.message);
    }
    return out;
  }

  /** True for an optimistic-locking conflict (a stale `version`), see isStaleVersion. */
  get isStaleVersion(): boolean {
    return isStaleVersion(this.status, this.problem);
  }
}

/**
 * Tells an optimistic-locking conflict (someone saved first; reload) from other
 * 409s (duplicate e-mail, invalid status transition). Uses a machine-readable
 * marker when the server sends one, else the wording of the detail.
 */
export function isStaleVersion(status: number, p: ProblemDetails): boolean {
  if (status !== 409) return false;
  if (typeof p.field === 'string' && p.field) return false;
  const type = typeof p.type === 'string' ? p.type : '';
  if (/stale[-_]?version/i.test(type) || p.code === 'STALE_VERSION' || p.reason === 'stale-version') return true;
  const detail = `${p.detail ?? ''} ${p.title ?? ''}`;
  return /changed by someone else|stale|version/i.test(detail);
}

/** A network failure (server unreachable, aborted, CORS...). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('Cannot reach the Gatehouse server. Check your connection and try again.');
    this.name = 'NetworkError';
    this.cause = cause;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'You are not allowed to do this',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request too large',
  422: 'Some fields are invalid',
  429: 'Too many requests',
  500: 'Server error',
  502: 'Server unavailable',
  503: 'Server unavailable',
};

/** A human sentence for a problem: its detail, else its title, else a status text. */
export function problemMessage(status: number, p: ProblemDetails): string {
  const detail = typeof p.detail === 'string' ? p.detail.trim() : '';
  const title = typeof p.title === 'string' ? p.title.trim() : '';
  return detail || title || STATUS_TEXT[status] || `Request failed (${status})`;
}

/**
 * Parses an error response body into a problem document. Accepts
 * application/problem+json, plain JSON objects, or text (kept as detail).
 */
export function parseProblem(status: number, contentType: string | null, body: string): ProblemDetails {
  const ct = (contentType ?? '').toLowerCase();
  const trimmed = body.trim();
  if (trimmed && (ct.includes('json') || trimmed.startsWith('{'))) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const p = parsed as ProblemDetails;
        return { ...p, status: typeof p.status === 'number' ? p.status : status };
      }
    } catch {
      // fall through: treat as text
    }
  }
  const looksLikeHtml = trimmed.startsWith('<');
  return {
    status,
    title: STATUS_TEXT[status] ?? `Request failed (${status})`,
    detail: trimmed && !looksLikeHtml ? trimmed.slice(0, 500) : undefined,
  };
}

/**
 * Maps a problem's `errors[].location` (e.g. "body.email", "body.items[0].name",
 * "email", "query.size") to a field name ("email", "items[0].name", "size") and
 * keeps the first message per field. Errors without a location go under "".
 */
export function fieldErrors(errors: ProblemFieldError[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors ?? []) {
    if (!e || typeof e.message !== 'string') continue;
    const field = fieldName(e.location);
    if (!(field in out)) out[field] = capitalise(e.message);
  }
  return out;
}

export function fieldName(location: string | undefined): string {
  if (!location) return '';
  let loc = location.trim();
  for (const prefix of ['body.', 'query.', 'path.', 'header.']) {
    if (loc.startsWith(prefix)) {
      loc = loc.slice(prefix.length);
      break;
    }
  }
  if (loc === 'body') return '';
  return loc.replace(/^\//, '').replace(/\//g, '.');
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return parseInt(v, 10);
  const when = Date.parse(v);
  if (Number.isNaN(when)) return undefined;
  return Math.max(0, Math.ceil((when - now) / 1000));
}

function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
