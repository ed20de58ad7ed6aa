// Camera QR scanning, split so the logic can be unit tested without a browser:
// - createScanLoop: polls a frame reader, de-duplicates results, pauses, stops;
// - cameraProblem: what a getUserMedia error means for the person at the kiosk;
// - createFrameReader: the browser's BarcodeDetector when it reads QR codes,
//   else jsQR on a down-scaled canvas frame (loaded on demand).
// useQrScanner (useQrScanner.ts) wires them to a <video>.

export interface ScanLoopOptions {
  /** Reads one frame; resolves to the decoded text or null. */
  readFrame: () => Promise<string | null>;
  onResult: (text: string) => void;
  /** Pause between frames (ms). */
  intervalMs?: number;
  /** The same text again within this time is ignored (ms). */
  dedupeMs?: number;
  now?: () => number;
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
}

export interface ScanLoop {
  pause(): void;
  resume(): void;
  stop(): void;
  readonly running: boolean;
}

export function createScanLoop(o: ScanLoopOptions): ScanLoop {
  const interval = o.intervalMs ?? 150;
  const dedupe = o.dedupeMs ?? 3000;
  const now = o.now ?? (() => Date.now());
  const schedule = o.schedule ?? ((fn, ms) => setTimeout(fn, ms));
  const cancel = o.cancel ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let stopped = false;
  let paused = false;
  let busy = false;
  let handle: unknown = null;
  let last: { text: string; at: number } | null = null;

  const tick = async () => {
    handle = null;
    if (stopped || paused) return;
    busy = true;
    let text: string | null = null;
    try {
      text = await o.readFrame();
    } catch {
      text = null; // a bad frame is not fatal
    }
    busy = false;
    if (stopped) return;
    if (text && !paused) {
      const t = now();
      if (!last || last.text !== text || t - last.at >= dedupe) {
        last = { text, at: t };
        o.onResult(text);
      } else {
        last.at = t; // still in front of the camera: keep ignoring it
      }
    }
    if (!stopped && !paused) handle = schedule(tick, interval);
  };

  handle = schedule(tick, 0);
  return {
    pause() {
      paused = true;
      if (handle !== null) cancel(handle);
      handle = null;
    },
    resume() {
      if (stopped || !paused) return;
      paused = false;
      if (!busy && handle === null) handle = schedule(tick, interval);
    },
    stop() {
      stopped = true;
      if (handle !== null) cancel(handle);
      handle = null;
    },
    get running() {
      return !stopped && !paused;
    },
  };
}

export type CameraProblem = 'insecure' | 'unsupported' | 'denied' | 'not-found' | 'in-use' | 'error';

/** Classifies a getUserMedia failure (DOMException names from Media Capture). */
export function cameraProblem(err: unknown, env: { secure: boolean; hasMediaDevices: boolean }): CameraProblem {
  if (!env.secure) return 'insecure';
  if (!env.hasMediaDevices) return 'unsupported';
  const name = (err as { name?: string } | null)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'not-found';
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') return 'in-use';
  return 'error';
}

export const CAMERA_PROBLEM_TEXT: Record<CameraProblem, string> = {
  insecure: 'The camera needs a secure (https) address. Type your number below instead.',
  unsupported: 'This browser cannot use a camera. Type your number below instead.',
  denied: 'Camera access was blocked. Allow the camera for this site in the browser settings.',
  'not-found': 'No camera was found on this device.',
  'in-use': 'The camera is in use by another app.',
  error: 'The camera could not be started.',
};

interface DetectorLike {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}

/** The best available decoder for frames of `video`. */
export async function createFrameReader(video: HTMLVideoElement): Promise<() => Promise<string | null>> {
  const BD = (globalThis as { BarcodeDetector?: { new (o: { formats: string[] }): DetectorLike; getSupportedFormats?: () => Promise<string[]> } })
    .BarcodeDetector;
  if (BD) {
    try {
      const formats = (await BD.getSupportedFormats?.()) ?? [];
      if (formats.includes('qr_code')) {
        const detector = new BD({ formats: ['qr_code'] });
        return async () => {
          if (video.readyState < 2) return null;
          const codes = await detector.detect(video);
          return codes[0]?.rawValue || null;
        };
      }
    } catch {
      // fall back to jsQR
    }
  }
  const { default: jsQR } = await import('jsqr');
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('No 2D canvas');
  return async () => {
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    if (video.readyState < 2 || !vw || !vh) return null;
    // Down-scale large frames: faster, and QR codes held up to a tablet are big.
    const scale = Math.min(1, 720 / Math.max(vw, vh));
    const w = Math.round(vw * scale);
    const h = Math.round(vh * scale);
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    ctx.drawImage(video, 0, 0, w, h);
    const img = ctx.getImageData(0, 0, w, h);
    const code = jsQR(img.data, w, h, { inversionAttempts: 'attemptBoth' });
    return code?.data || null;
  };
}
