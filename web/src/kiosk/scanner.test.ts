// Unit tests of the QR scanner hook's logic (useQrScanner = camera + createScanLoop).
import { describe, expect, it } from 'vitest';
import { cameraProblem, createScanLoop } from './scanner';

/** A manual clock and scheduler: run() executes due callbacks. */
function fakeTimers() {
  let t = 0;
  let seq = 0;
  const queue = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => t,
    schedule: (fn: () => void, ms: number) => {
      const id = ++seq;
      queue.set(id, { at: t + ms, fn });
      return id;
    },
    cancel: (h: unknown) => void queue.delete(h as number),
    async advance(ms: number) {
      const end = t + ms;
      for (;;) {
        const due = [...queue.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        queue.delete(due[0]);
        t = Math.max(t, due[1].at);
        due[1].fn();
        await new Promise((r) => setTimeout(r, 0)); // let the async tick finish
      }
      t = end;
    },
    pending: () => queue.size,
  };
}

describe('createScanLoop', () => {
  it('reports a code once while it stays in front of the camera, again after the dedupe time', async () => {
    const timers = fakeTimers();
    const frames: (string | null)[] = [null, 'A', 'A', 'A', 'B', 'A'];
    const results: string[] = [];
    const loop = createScanLoop({
      readFrame: async () => (frames.length ? frames.shift()! : null),
      onResult: (t) => results.push(t),
      intervalMs: 100,
      dedupeMs: 1000,
      ...timers,
    });
    await timers.advance(1000);
    expect(results).toEqual(['A', 'B', 'A']);
    // A again 600 ms after it was last seen: still ignored …
    frames.push('A');
    await timers.advance(100);
    expect(results).toEqual(['A', 'B', 'A']);
    // … but reported again once it has been away longer than the dedupe time.
    await timers.advance(1500);
    frames.push('A');
    await timers.advance(100);
    expect(results).toEqual(['A', 'B', 'A', 'A']);
    loop.stop();
  });

  it('pause stops reading; resume continues; stop is final', async () => {
    const timers = fakeTimers();
    let reads = 0;
    const loop = createScanLoop({ readFrame: async () => (reads++, null), onResult: () => undefined, intervalMs: 100, ...timers });
    await timers.advance(450);
    const before = reads;
    expect(before).toBeGreaterThanOrEqual(4);
    loop.pause();
    expect(loop.running).toBe(false);
    await timers.advance(1000);
    expect(reads).toBe(before);
    loop.resume();
    await timers.advance(250);
    expect(reads).toBeGreaterThan(before);
    loop.stop();
    const after = reads;
    loop.resume();
    await timers.advance(1000);
    expect(reads).toBe(after);
    expect(timers.pending()).toBe(0);
  });

  it('a frame that throws does not stop the loop', async () => {
    const timers = fakeTimers();
    let n = 0;
    const results: string[] = [];
    createScanLoop({
      readFrame: async () => {
        n++;
        if (n === 1) throw new Error('bad frame');
        return n === 2 ? 'OK' : null;
      },
      onResult: (t) => results.push(t),
      intervalMs: 50,
      ...timers,
    });
    await timers.advance(200);
    expect(results).toEqual(['OK']);
  });

  it('does not report a result that arrives while paused', async () => {
    const timers = fakeTimers();
    let release: (v: string) => void = () => undefined;
    const results: string[] = [];
    const loop = createScanLoop({
      readFrame: () => new Promise<string>((r) => (release = r)),
      onResult: (t) => results.push(t),
      ...timers,
    });
    await timers.advance(0);
    loop.pause();
    release('LATE');
    await new Promise((r) => setTimeout(r, 0));
    expect(results).toEqual([]);
  });
});

describe('cameraProblem', () => {
  const ok = { secure: true, hasMediaDevices: true };
  it('classifies getUserMedia failures', () => {
    expect(cameraProblem(null, { secure: false, hasMediaDevices: false })).toBe('insecure');
    expect(cameraProblem(null, { secure: true, hasMediaDevices: false })).toBe('unsupported');
    expect(cameraProblem({ name: 'NotAllowedError' }, ok)).toBe('denied');
    expect(cameraProblem({ name: 'NotFoundError' }, ok)).toBe('not-found');
    expect(cameraProblem({ name: 'NotReadableError' }, ok)).toBe('in-use');
    expect(cameraProblem(new Error('x'), ok)).toBe('error');
  });
});
