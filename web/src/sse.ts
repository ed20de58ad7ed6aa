// Server-Sent Events over fetch().
//
// EventSource cannot send an Authorization header, so the live feed is read with
// fetch() and a ReadableStream reader, and the text/event-stream format is parsed
// here (WHATWG HTML, "Server-sent events", the event stream interpretation).

export interface SseMessage {
  /** The `event:` field; "message" when the event names none. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** The last event id seen so far (persists across events, as in the spec). */
  id?: string;
}

/**
 * An incremental text/event-stream parser: push() decoded text in chunks of any
 * size (a line, a field or a CRLF may be split across chunks); complete events
 * are passed to `onMessage`. `retry` holds the last valid `retry:` value (ms).
 */
export class SseParser {
  private buf = '';
  private pendingCR = false;
  private started = false;
  private data: string[] = [];
  private hasData = false;
  private eventType = '';
  lastEventId: string | undefined;
  retry: number | undefined;

  constructor(private readonly onMessage: (m: SseMessage) => void) {}

  push(chunk: string): void {
    let text = chunk;
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR ended the previous chunk: a LF starting this one belongs to it.
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    this.buf += text;
    let start = 0;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = this.buf.slice(start, i);
      if (c === 13) {
        if (i + 1 < this.buf.length) {
          if (this.buf.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCR = true;
        }
      }
      start = i + 1;
      this.line(line);
    }
    this.buf = this.buf.slice(start);
  }

  /** The stream ended: an incomplete event is discarded (as the spec says). */
  end(): void {
    this.buf = '';
    this.pendingCR = false;
    this.data = [];
    this.hasData = false;
    this.eventType = '';
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return; // comment (keep-alive)
    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon >= 0) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
    }
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = parseInt(value, 10);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private dispatch(): void {
    const type = this.eventType || 'message';
    const data = this.data.join('\n');
    const had = this.hasData;
    this.data = [];
    this.hasData = false;
    this.eventType = '';
    if (!had) return;
    this.onMessage({ event: type, data, id: this.lastEventId });
  }
}

/** Exponential backoff with jitter: ~1 s, 2 s, 4 s … capped at `max` ms. */
export function backoffDelay(attempt: number, base = 1000, max = 30_000, random: () => number = Math.random): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempt));
  // ±20 % jitter so many screens do not reconnect in lockstep.
  const jitter = exp * 0.2 * (random() * 2 - 1);
  return Math.max(base / 2, Math.min(max, Math.round(exp + jitter)));
}

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface StreamOptions {
  url: string;
  token: string | null;
  onMessage: (m: SseMessage) => void;
  onState: (s: StreamState, detail?: { retryInMs?: number; error?: string }) => void;
  /** Called right after each (re)connection, e.g. to reload what was missed. */
  onOpen?: () => void;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Reads an SSE endpoint with fetch() until `stop()` is called, reconnecting with
 * backoff after errors or when the server closes the stream. A 401/403 stops it
 * (state "unauthorized"). Sends Last-Event-ID when the server sent ids.
 */
export function openEventStream(opts: StreamOptions): { stop: () => void } {
  const ctrl = new AbortController();
  const doFetch = opts.fetchImpl ?? fetch.bind(globalThis);
  const sleep = opts.sleep ?? defaultSleep;
  let lastEventId: string | undefined;
  let serverRetry: number | undefined;

  const run = async () => {
    let attempt = 0;
    let first = true;
    while (!ctrl.signal.aborted) {
      opts.onState(first ? 'connecting' : 'reconnecting');
      first = false;
      let error = '';
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };
        if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
        if (lastEventId) headers['Last-Event-ID'] = lastEventId;
        const res = await doFetch(opts.url, { headers, signal: ctrl.signal, cache: 'no-store' });
        if (res.status === 401 || res.status === 403) {
          opts.onState('unauthorized', { error: `The server answered ${res.status}` });
          return;
        }
        const ct = res.headers.get('Content-Type') ?? '';
        if (!res.ok || !res.body || !ct.includes('text/event-stream')) {
          error = !res.ok ? `The server answered ${res.status}` : 'The server did not send an event stream';
        } else {
          attempt = 0;
          opts.onState('open');
          opts.onOpen?.();
          const parser = new SseParser(opts.onMessage);
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          try {
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              parser.push(value);
              lastEventId = parser.lastEventId ?? lastEventId;
              serverRetry = parser.retry ?? serverRetry;
            }
          } finally {
            parser.end();
            reader.releaseLock();
          }
          error = 'The server closed the stream';
        }
      } catch (e) {
        if (ctrl.signal.aborted) break;
        error = e instanceof Error ? e.message : String(e);
      }
      if (ctrl.signal.aborted) break;
      const wait = Math.max(serverRetry ?? 0, backoffDelay(attempt++));
      opts.onState('reconnecting', { retryInMs: wait, error });
      await sleep(wait, ctrl.signal);
    }
    opts.onState('closed');
  };
  void run();
  return { stop: () => ctrl.abort() };
}

/**
 * The check-in carried by a live-feed message. Accepts the bare CheckIn or an
 * event envelope `{id,type,entityId,occurredAt,data}` (API.md "Events").
 */
export function checkInFromMessage<T extends { id: number; statusCd: string }>(m: SseMessage): T | null {
  if (!m.data) return null;
  let v: unknown;
  try {
    v = JSON.parse(m.data);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const inner = (o.data && typeof o.data === 'object' ? o.data : o.checkIn && typeof o.checkIn === 'object' ? o.checkIn : o) as Record<string, unknown>;
  if (typeof inner.id !== 'number' || typeof inner.statusCd !== 'string') return null;
  return inner as unknown as T;
}
