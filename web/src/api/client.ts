import { ApiError, NetworkError, parseProblem, parseRetryAfter } from './problem';

const TOKEN_KEY = 'gatehouse.token';

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Registers what happens when any call (other than login) answers 401. */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null): void {
  onUnauthorized = fn;
}

export function getToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable (private mode); the session then lasts for the page only
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  query?: Record<string, string | number | boolean | undefined | null>;
  /** JSON body (serialised), or a string sent as-is with `contentType`. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Do not treat a 401 as "session over" (login itself). */
  skipAuthRedirect?: boolean;
  /** A bearer token other than the signed-in user's (the kiosk's device key). Implies skipAuthRedirect. */
  token?: string;
  /** Overrides the Accept header. */
  accept?: string;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Calls the API and returns the parsed JSON (or undefined for 204). Throws ApiError/NetworkError. */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json, application/problem+json' };
  const token = opts.token ?? getToken();
  if (token) headers.Authorization = `Bearer ${token}`;

  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    if (typeof opts.body === 'string' && opts.contentType) {
      body = opts.body;
      headers['Content-Type'] = opts.contentType;
    } else {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
  }

  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new NetworkError(e);
  }

  if (res.status === 204) return undefined as T;
  const text = await res.text();

  if (!res.ok) {
    const problem = parseProblem(res.status, res.headers.get('Content-Type'), text);
    const err = new ApiError(res.status, problem, parseRetryAfter(res.headers.get('Retry-After')));
    if (res.status === 401 && !opts.skipAuthRedirect && opts.token === undefined) {
      setToken(null);
      onUnauthorized?.();
    }
    throw err;
  }
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}
