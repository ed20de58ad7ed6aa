// The QR door display: a full-screen page on the screen next to a door. It
// signs in with a QR_DISPLAY device key bound to the door's zone (entered
// once, like the kiosk), shows the zone's rotating code as a QR that phones
// open (/q/{token}), and fetches the next code when the current one rotates.
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { ApiError, NetworkError } from '../../api/problem';
import type { PhoneCode } from '../../api/types';
import { useTitle } from '../../hooks';
import { QrCode, msUntil } from '../../phone/qr';
import './phone.css';

const STORAGE_KEY = 'gatehouse.qrdisplay';

interface DisplayConfig {
  deviceKey: string;
  zoneId: number;
}

function loadConfig(): DisplayConfig | null {
  try {
    const c = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as DisplayConfig | null;
    return c && typeof c.deviceKey === 'string' && typeof c.zoneId === 'number' ? c : null;
  } catch {
    return null;
  }
}

export function DoorDisplayPage() {
  useTitle('Door display');
  const [config, setConfig] = useState<DisplayConfig | null>(() => loadConfig());
  useEffect(() => {
    document.body.classList.add('kiosk-body');
    return () => document.body.classList.remove('kiosk-body');
  }, []);
  if (!config) return <DisplaySetup onDone={setConfig} />;
  return (
    <DisplayCode
      config={config}
      onReset={() => {
        localStorage.removeItem(STORAGE_KEY);
        setConfig(null);
      }}
    />
  );
}

function DisplaySetup({ onDone }: { onDone: (c: DisplayConfig) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const k = key.trim();
    if (!k) return setError('Enter the display’s device key.');
    setBusy(true);
    try {
      const me = await api.meWithToken(k);
      const dev = me.device;
      if (!dev || dev.kind !== 'QR_DISPLAY') throw new Error('This key does not belong to a QR display: create a QR_DISPLAY device.');
      if (!dev.zoneId) throw new Error('This display is not bound to a zone: bind it to the door’s zone under Devices.');
      const c: DisplayConfig = { deviceKey: k, zoneId: dev.zoneId };
      localStorage.setItem(STORAGE_KEY, JSON.stringify(c));
      onDone(c);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'This key is not valid (or was revoked).' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="kiosk-setup">
      <form className="kiosk-setup-panel" onSubmit={submit} noValidate data-testid="display-setup">
        <h1>QR door display</h1>
        <p>Enter the key of a QR_DISPLAY device bound to this door’s zone. It is stored on this screen only.</p>
        <label className="field-label" htmlFor="display-key">
          Device key
        </label>
        <input
          id="display-key"
          className="input"
          type="password"
          autoComplete="off"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={!!error}
          aria-describedby={error ? 'display-key-err' : undefined}
          data-testid="display-key"
        />
        {error && (
          <p className="field-error" id="display-key-err" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="display-submit">
          {busy ? 'Checking…' : 'Start the display'}
        </button>
      </form>
    </div>
  );
}

function DisplayCode({ config, onReset }: { config: DisplayConfig; onReset: () => void }) {
  const [code, setCode] = useState<PhoneCode | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    let timer: number | undefined;
    const ctl = new AbortController();
    async function load() {
      try {
        const c = await api.qrDoorCode(config.zoneId, config.deviceKey, ctl.signal);
        setCode(c);
        setProblem(null);
        timer = window.setTimeout(load, msUntil(c.expiresAt));
      } catch (err) {
        if (ctl.signal.aborted) return;
        setProblem(
          err instanceof NetworkError
            ? 'Offline: reconnecting…'
            : err instanceof ApiError && (err.status === 401 || err.status === 403)
              ? 'This display’s key is no longer accepted.'
              : (err as Error).message,
        );
        timer = window.setTimeout(load, 3000);
      }
    }
    void load();
    return () => {
      ctl.abort();
      window.clearTimeout(timer);
    };
  }, [config]);

  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(t);
  }, []);

  const left = code ? Math.max(0, Math.ceil((Date.parse(code.expiresAt) - now) / 1000)) : 0;
  const link = code ? `${window.location.origin}${code.url ?? `/q/${code.token}`}` : '';
  return (
    <div className="kiosk qr-display" data-testid="door-display">
      <main className="qr-display-main">
        <h1 className="kiosk-h">Scan to open the door</h1>
        <p className="kiosk-sub">Open your phone’s camera and point it at the code.</p>
        {code ? (
          <div className="qr-display-code" data-token={code.token}>
            <QrCode text={link} size={360} label="Door code" testid="door-qr" />
            <div className="qr-display-meter" aria-hidden="true">
              <span style={{ width: `${(left / (code.stepSeconds || 30)) * 100}%` }} />
            </div>
            <p className="qr-display-left" data-testid="door-left">
              New code in {left} s
            </p>
          </div>
        ) : (
          !problem && <p>Loading the code…</p>
        )}
        {problem && (
          <p className="qr-display-problem" role="alert" data-testid="door-problem">
            {problem}
          </p>
        )}
        <button type="button" className="link-btn" onClick={onReset}>
          Reset this display
        </button>
      </main>
    </div>
  );
}
