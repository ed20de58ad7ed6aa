import { describe, expect, it } from 'vitest';
import { backoffDelay, checkInFromMessage, openEventStream, SseParser, type SseMessage, type StreamState } from './sse';

function parse(chunks: string[]): { msgs: SseMessage[]; parser: SseParser } {
  const msgs: SseMessage[] = [];
  const parser = new SseParser((m) => msgs.push(m));
  for (const c of chunks) parser.push(c);
  return { msgs, parser };
}

describe('SseParser', () => {
  it('parses events with type, data and id', () => {
    const { msgs } = parse(['event: checkin.granted\nid: 7\ndata: {"id":1}\n\n']);
    expect(msgs).toEqual([{ event: 'checkin.granted', data: '{"id":1}', id: '7' }]);
  });

  it('defaults the type to "message" and joins data lines with \\n', () => {
    const { msgs } = parse(['data: one\ndata: two\n\n']);
    expect(msgs).toEqual([{ event: 'message', data: 'one\ntwo', id: undefined }]);
  });

  it('handles chunks split anywhere, including inside CRLF', () => {
    const text = 'event: a\r\ndata: hello\r\n\r\nevent: b\r\ndata: world\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const { msgs } = parse([text.slice(0, cut), text.slice(cut)]);
      expect(msgs.map((m) => `${m.event}:${m.data}`), `cut at ${cut}`).toEqual(['a:hello', 'b:world']);
    }
    // one character at a time
    expect(parse(text.split('')).msgs).toHaveLength(2);
  });

  it('accepts CR-only line endings', () => {
    expect(parse(['data: x\r\rdata: y\r\r']).msgs.map((m) => m.data)).toEqual(['x', 'y']);
  });

  it('ignores comments (keep-alives), unknown fields and empty events', () => {
    const { msgs } = parse([': ping\n\nfoo: bar\n\nevent: nothing\n\ndata: real\n\n']);
    expect(msgs.map((m) => m.data)).toEqual(['real']);
    // the event type of a data-less block does not leak into the next one
    expect(msgs[0].event).toBe('message');
  });

  it('strips exactly one space after the colon, and a field without a colon is a name', () => {
    const { msgs } = parse(['data:no-space\n\ndata:  two-spaces\n\ndata\n\n']);
    expect(msgs.map((m) => m.data)).toEqual(['no-space', ' two-spaces', '']);
  });

  it('keeps the last event id across events; an id with NUL is ignored', () => {
    const { msgs, parser } = parse(['id: 1\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\n']);
    expect(msgs.map((m) => m.id)).toEqual(['1', '1', '1']);
    expect(parser.lastEventId).toBe('1');
  });

  it('reads retry only when it is digits', () => {
    const { parser } = parse(['retry: 2500\n\nretry: soon\n\n']);
    expect(parser.retry).toBe(2500);
  });

  it('strips a leading BOM and drops an unterminated event at the end', () => {
    const { msgs, parser } = parse(['\uFEFFdata: first\n\ndata: partial']);
    parser.end();
    parser.push('\n\n');
    expect(msgs.map((m) => m.data)).toEqual(['first']);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with bounded jitter', () => {
    const mid = () => 0.5; // no jitter
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, 1000, 30_000, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    for (let a = 0; a < 8; a++) {
      const lo = backoffDelay(a, 1000, 30_000, () => 0);
      const hi = backoffDelay(a, 1000, 30_000, () => 0.999);
      expect(lo).toBeGreaterThanOrEqual(500);
      expect(hi).toBeLessThanOrEqual(30_000);
      expect(lo).toBeLessThanOrEqual(hi);
    }
  });
});

describe('checkInFromMessage', () => {
  const ci = { id: 5, statusCd: 'GRANTED', memberId: 2, checkedInAt: '2026-01-01T10:00:00Z', methodCd: 'QR' };
  it('accepts a bare CheckIn and an event envelope', () => {
    expect(checkInFromMessage({ event: 'message', data: JSON.stringify(ci) })).toEqual(ci);
    expect(checkInFromMessage({ event: 'checkin.granted', data: JSON.stringify({ id: 'e1', type: 'checkin.granted', data: ci }) })).toEqual(ci);
  });
  it('ignores anything else', () => {
    expect(checkInFromMessage({ event: 'message', data: 'not json' })).toBeNull();
    expect(checkInFromMessage({ event: 'ping', data: '{}' })).toBeNull();
  });
});

function streamResponse(parts: string[], status = 200, type = 'text/event-stream'): Response {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(new TextEncoder().encode(p));
      c.close();
    },
  });
  return new Response(body, { status, headers: { 'Content-Type': type } });
}

describe('openEventStream', () => {
  it('sends the bearer token and Accept header, delivers events, reconnects with Last-Event-ID, stops on 401', async () => {
    const calls: Record<string, string>[] = [];
    const responses = [
      streamResponse(['id: 41\nevent: checkin.granted\ndata: {"a":1}\n\n']),
      new Response('oops', { status: 502 }),
      streamResponse(['data: {"b":2}\n\n']),
      new Response('', { status: 401 }),
    ];
    const msgs: string[] = [];
    const states: StreamState[] = [];
    const waits: number[] = [];
    const done = new Promise<void>((resolve) => {
      openEventStream({
        url: '/api/checkin/live-feed',
        token: 'tok',
        onMessage: (m) => msgs.push(m.data),
        onState: (s, d) => {
          states.push(s);
          if (d?.retryInMs) waits.push(d.retryInMs);
          if (s === 'unauthorized') resolve();
        },
        fetchImpl: (async (_url: string, init: RequestInit) => {
          calls.push({ ...(init.headers as Record<string, string>) });
          return responses.shift()!;
        }) as unknown as typeof fetch,
        sleep: async () => undefined,
      });
    });
    await done;
    expect(msgs).toEqual(['{"a":1}', '{"b":2}']);
    expect(calls[0].Authorization).toBe('Bearer tok');
    expect(calls[0].Accept).toBe('text/event-stream');
    expect(calls[0]['Last-Event-ID']).toBeUndefined();
    expect(calls[1]['Last-Event-ID']).toBe('41');
    expect(states[0]).toBe('connecting');
    expect(states).toContain('open');
    expect(states).toContain('reconnecting');
    expect(states.at(-1)).toBe('unauthorized');
    expect(waits.length).toBeGreaterThanOrEqual(2);
  });

  it('treats a non-stream answer as an error and retries', async () => {
    let n = 0;
    const states: StreamState[] = [];
    await new Promise<void>((resolve) => {
      const s = openEventStream({
        url: '/x',
        token: null,
        onMessage: () => undefined,
        onState: (st) => {
          states.push(st);
          if (n >= 2) {
            s.stop();
            resolve();
          }
        },
        fetchImpl: (async () => {
          n++;
          return new Response('[]', { status: 200, headers: { 'Content-Type': 'application/json' } });
        }) as unknown as typeof fetch,
        sleep: async () => undefined,
      });
    });
    expect(states).not.toContain('open');
  });
});
