import { useEffect, useRef, useState } from 'react';
import { cameraProblem, createFrameReader, createScanLoop, type CameraProblem, type ScanLoop } from './scanner';

export type ScannerState = 'off' | 'starting' | 'scanning' | 'paused' | CameraProblem;

/**
 * Shows the camera in `videoRef` and calls `onScan` with each QR code read
 * (the same code again within 3 s is ignored). `active` false releases the
 * camera; `paused` keeps it on but stops reading (while a result is shown).
 */
export function useQrScanner({ active, paused, onScan }: { active: boolean; paused: boolean; onScan: (text: string) => void }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<ScannerState>('off');
  const loopRef = useRef<ScanLoop | null>(null);
  const onScanRef = useRef(onScan);
  onScanRef.current = onScan;
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    if (!active) {
      setState('off');
      return;
    }
    let cancelled = false;
    let stream: MediaStream | null = null;
    const env = { secure: window.isSecureContext, hasMediaDevices: !!navigator.mediaDevices?.getUserMedia };
    if (!env.secure || !env.hasMediaDevices) {
      setState(cameraProblem(null, env));
      return;
    }
    setState('starting');
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: { ideal: 'user' }, width: { ideal: 1280 }, height: { ideal: 720 } },
        });
        if (cancelled) return;
        const video = videoRef.current;
        if (!video) return;
        video.srcObject = stream;
        video.muted = true;
        video.playsInline = true;
        await video.play().catch(() => undefined);
        const readFrame = await createFrameReader(video);
        if (cancelled) return;
        loopRef.current = createScanLoop({ readFrame, onResult: (t) => onScanRef.current(t) });
        if (pausedRef.current) loopRef.current.pause();
        setState(pausedRef.current ? 'paused' : 'scanning');
      } catch (e) {
        if (!cancelled) setState(cameraProblem(e, env));
      }
    })();
    return () => {
      cancelled = true;
      loopRef.current?.stop();
      loopRef.current = null;
      stream?.getTracks().forEach((t) => t.stop());
      if (videoRef.current) videoRef.current.srcObject = null;
    };
  }, [active]);

  useEffect(() => {
    const loop = loopRef.current;
    if (!loop) return;
    if (paused) {
      loop.pause();
      setState('paused');
    } else {
      loop.resume();
      setState('scanning');
    }
  }, [paused]);

  return { videoRef, state };
}
