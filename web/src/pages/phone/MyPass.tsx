// The member's QR pass: a personal code that changes every 30 seconds (never
// the card number). A kiosk or reader scans it; each code works once.
import { useEffect, useState } from 'react';
import { api } from '../../api/endpoints';
import type { PhoneCode } from '../../api/types';
import { PageHeader } from '../../components/ui';
import { useTitle } from '../../hooks';
import './phone.css';
import { QrCode, msUntil } from '../../phone/qr';

export function MyPassPage() {
  useTitle('My pass');
  const [pass, setPass] = useState<PhoneCode | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let timer: number | undefined;
    const ctl = new AbortController();
    async function load() {
      try {
        const p = await api.myPass(ctl.signal);
        setPass(p);
        setProblem(null);
        timer = window.setTimeout(load, msUntil(p.expiresAt));
      } catch (err) {
        if (ctl.signal.aborted) return;
        setProblem((err as Error).message);
        timer = window.setTimeout(load, 5000);
      }
    }
    void load();
    const tick = window.setInterval(() => setNow(Date.now()), 1000);
    return () => {
      ctl.abort();
      window.clearTimeout(timer);
      window.clearInterval(tick);
    };
  }, []);
  const left = pass ? Math.max(0, Math.ceil((Date.parse(pass.expiresAt) - now) / 1000)) : 0;
  return (
    <div className="my-pass">
      <PageHeader title="My pass" description="Show this code at the kiosk or reader. It changes every 30 seconds and works once." />
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {pass && (
        <div className="my-pass-code" data-testid="my-pass">
          <QrCode text={pass.token} size={280} label="My pass" testid="pass-qr" />
          <p className="qr-display-left">New code in {left} s</p>
        </div>
      )}
    </div>
  );
}
