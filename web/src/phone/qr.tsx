// A QR code drawn as one SVG path (uqr encodes; no canvas, crisp at any size).
import { encode } from 'uqr';

export function QrCode({ text, size = 320, label, testid }: { text: string; size?: number; label: string; testid?: string }) {
  const qr = encode(text, { ecc: 'M', border: 2 });
  let d = '';
  for (let r = 0; r < qr.size; r++)
    for (let c = 0; c < qr.size; c++) if (qr.data[r][c]) d += `M${c} ${r}h1v1h-1z`;
  return (
    <svg
      className="qr-code"
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${qr.size} ${qr.size}`}
      shapeRendering="crispEdges"
      data-testid={testid}
      data-qr-text={text}
    >
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

/** Milliseconds until `iso` (at least `min`), for scheduling the next refresh. */
export function msUntil(iso: string, now = Date.now(), min = 1000): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? Math.max(min, t - now + 250) : 5000;
}
