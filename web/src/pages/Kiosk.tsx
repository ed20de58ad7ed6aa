// Kiosk mode: a full-screen check-in page for an entrance tablet. It signs in
// with a KIOSK device key (entered once on the setup screen), reads member QR
// codes with the camera or a typed member/card number, and shows a big
// GRANTED/DENIED answer that resets itself. Leaving needs the staff PIN.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api/endpoints';
import { ApiError, NetworkError } from '../api/problem';
import type { Me } from '../api/types';
import { IconAlert, IconBackspace, IconCamera, IconCheck, IconClose, IconEye, IconEyeOff, IconShield } from '../components/Icons';
import { useTitle } from '../hooks';
import { checkinRequest, describeCheckIn, TYPED_KINDS, validateInput, type KioskInput, type KioskResult } from '../kiosk/mapping';
import { CAMERA_PROBLEM_TEXT } from '../kiosk/scanner';
import { clearKioskConfig, hashPin, loadKioskConfig, pinProblem, randomSalt, saveKioskConfig, verifyPin, type KioskConfig } from '../kiosk/storage';
import { useQrScanner } from '../kiosk/useQrScanner';
import { useNavigate } from '../router';

const RESULT_MS = 4000;
const MAX_PIN_TRIES = 5;
const PIN_LOCK_MS = 30_000;

function newEventId(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function enterFullscreen() {
  const el = document.documentElement;
  if (!document.fullscreenElement && el.requestFullscreen) el.requestFullscreen().catch(() => undefined);
}

export function KioskPage() {
  useTitle('Kiosk');
  const [config, setConfig] = useState<KioskConfig | null>(() => loadKioskConfig());
  useEffect(() => {
    document.body.classList.add('kiosk-body');
    return () => document.body.classList.remove('kiosk-body');
  }, []);
  if (!config) return <KioskSetup onDone={setConfig} />;
  return <KioskScreen config={config} onReset={() => setConfig(null)} />;
}

// ---------------------------------------------------------------------------
// Setup

function KioskSetup({ onDone }: { onDone: (c: KioskConfig) => void }) {
  const navigate = useNavigate();
  const [key, setKey] = useState('');
  const [showKey, setShowKey] = useState(false);
  const [pin, setPin] = useState('');
  const [pin2, setPin2] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!key.trim()) local.key = 'Enter the kiosk’s device key';
    const pp = pinProblem(pin);
    if (pp) local.pin = pp;
    else if (pin !== pin2) local.pin2 = 'The PINs do not match';
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    let me: Me;
    try {
      me = await api.meWithToken(key.trim());
    } catch (err) {
      setBusy(false);
      setErrors({
        key:
          err instanceof ApiError && err.status === 401
            ? 'This key is not valid, or the device was revoked'
            : err instanceof NetworkError
              ? 'Cannot reach the Gatehouse server'
              : `The key could not be checked: ${(err as Error).message}`,
      });
      return;
    }
    if (me.role !== 'DEVICE' || (me.device && me.device.kind !== 'KIOSK')) {
      setBusy(false);
      setErrors({ key: me.role === 'DEVICE' ? `This key belongs to a ${me.device?.kind ?? 'other'} device, not a kiosk` : 'This is a user’s token, not a kiosk device key' });
      return;
    }
    const salt = randomSalt();
    const c: KioskConfig = {
      deviceKey: key.trim(),
      deviceId: me.device?.id,
      zoneId: me.device?.zoneId ?? null,
      pinSalt: salt,
      pinHash: await hashPin(pin, salt),
      configuredAt: new Date().toISOString(),
    };
    saveKioskConfig(c);
    setBusy(false);
    enterFullscreen();
    onDone(c);
  };

  return (
    <div className="kiosk-setup">
      <form className="kiosk-setup-panel" onSubmit={submit} noValidate data-testid="kiosk-setup">
        <div className="login-brand">
          <svg width="32" height="32" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="var(--brand)" />
            <path d="M9 25V13l7-5 7 5v12h-4.5v-7h-5v7z" fill="#fff" />
          </svg>
          Gatehouse
        </div>
        <h1 className="login-title">Set up this kiosk</h1>
        <p className="login-subtitle">
          For staff: enter the API key of a <strong>Kiosk tablet</strong> device (Devices › Register device) and choose a staff PIN. The
          PIN is needed to leave kiosk mode.
        </p>
        <div className="form">
          <div className={`field${errors.key ? ' field-invalid' : ''}`}>
            <label className="field-label" htmlFor="kiosk-key">
              Device key
            </label>
            <div className="input-with-button">
              <input
                id="kiosk-key"
                className="input mono"
                type={showKey ? 'text' : 'password'}
                autoComplete="off"
                spellCheck={false}
                value={key}
                onChange={(e) => setKey(e.target.value)}
                aria-invalid={!!errors.key || undefined}
                aria-describedby={errors.key ? 'kiosk-key-err' : undefined}
                data-testid="kiosk-key"
              />
              <button type="button" className="icon-btn" onClick={() => setShowKey((s) => !s)} aria-label={showKey ? 'Hide key' : 'Show key'}>
                {showKey ? <IconEyeOff size={18} /> : <IconEye size={18} />}
              </button>
            </div>
            {errors.key && (
              <p className="field-error" id="kiosk-key-err">
                <IconAlert size={14} /> {errors.key}
              </p>
            )}
          </div>
          <div className="form-row">
            <PinField id="kiosk-pin" label="Staff PIN" value={pin} onChange={setPin} error={errors.pin} hint="4–12 digits" testid="kiosk-pin" />
            <PinField id="kiosk-pin2" label="Repeat PIN" value={pin2} onChange={setPin2} error={errors.pin2} testid="kiosk-pin2" />
          </div>
          <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="kiosk-setup-submit">
            {busy && <span className="spinner spinner-sm" aria-hidden="true" />} Start kiosk
          </button>
          <button type="button" className="link-btn kiosk-setup-back" onClick={() => navigate('/')}>
            Back to Gatehouse
          </button>
        </div>
        <p className="login-footer">The key and a hash of the PIN are stored in this browser only.</p>
      </form>
    </div>
  );
}

function PinField({
  id,
  label,
  value,
  onChange,
  error,
  hint,
  testid,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  hint?: string;
  testid: string;
}) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="input mono"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={12}
        value={value}
        onChange={(e) => onChange(e.target.value.replace(/\D/g, ''))}
        aria-invalid={!!error || undefined}
        aria-describedby={error ? `${id}-err` : hint ? `${id}-hint` : undefined}
        data-testid={testid}
      />
      {error ? (
        <p className="field-error" id={`${id}-err`}>
          <IconAlert size={14} /> {error}
        </p>
      ) : (
        hint && (
          <p className="field-hint" id={`${id}-hint`}>
            {hint}
          </p>
        )
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------
// The kiosk itself

type Phase =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'result'; result: KioskResult }
  | { kind: 'error'; title: string; text: string };

function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 10_000);
    return () => clearInterval(t);
  }, []);
  return (
    <time className="kiosk-clock" dateTime={now.toISOString()}>
      {now.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}
    </time>
  );
}

function KioskScreen({ config, onReset }: { config: KioskConfig; onReset: () => void }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [mode, setMode] = useState<(typeof TYPED_KINDS)[number]['kind']>('memberNumber');
  const [typed, setTyped] = useState('');
  const [typedError, setTypedError] = useState<string | null>(null);
  const [staff, setStaff] = useState(false);
  const [camera, setCamera] = useState(true);
  const [orgName, setOrgName] = useState<string | null>(null);
  const resetTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const busyRef = useRef(false);

  useEffect(() => {
    api
      .meWithToken(config.deviceKey)
      .then((me) => setOrgName(me.entity?.name ?? null))
      .catch(() => undefined);
  }, [config.deviceKey]);

  const clearResult = useCallback(() => {
    if (resetTimer.current) clearTimeout(resetTimer.current);
    resetTimer.current = null;
    setPhase({ kind: 'idle' });
  }, []);

  useEffect(() => () => {
    if (resetTimer.current) clearTimeout(resetTimer.current);
  }, []);

  const submit = useCallback(
    async (input: KioskInput) => {
      if (busyRef.current) return;
      const problem = validateInput(input);
      if (problem) {
        if (input.kind === 'qr') return;
        setTypedError(problem);
        return;
      }
      busyRef.current = true;
      setTypedError(null);
      setPhase({ kind: 'busy' });
      let next: Phase;
      try {
        const c = await api.checkin(checkinRequest(input, { eventId: newEventId() }), config.deviceKey);
        next = { kind: 'result', result: describeCheckIn(c) };
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          next = { kind: 'error', title: 'This kiosk is not authorised', text: 'Its device key was revoked or is not a kiosk key. Please ask a member of staff.' };
        } else if (e instanceof ApiError && e.status === 404) {
          // A member number or card the server does not know.
          next = { kind: 'result', result: { granted: false, headline: 'Access denied', name: null, reason: e.message || 'Not recognised' } };
        } else if (e instanceof ApiError && (e.status === 400 || e.status === 422)) {
          next = { kind: 'result', result: { granted: false, headline: 'Access denied', name: null, reason: e.message } };
        } else {
          next = { kind: 'error', title: 'Check-in is not available', text: 'The kiosk cannot reach Gatehouse right now. Please ask a member of staff.' };
        }
      }
      busyRef.current = false;
      setTyped('');
      setPhase(next);
      if (resetTimer.current) clearTimeout(resetTimer.current);
      resetTimer.current = setTimeout(() => setPhase({ kind: 'idle' }), next.kind === 'error' ? RESULT_MS + 2000 : RESULT_MS);
    },
    [config.deviceKey],
  );

  const showing = phase.kind !== 'idle';
  const { videoRef, state: camState } = useQrScanner({
    active: camera && !staff,
    paused: showing,
    onScan: (text) => void submit({ kind: 'qr', value: text }),
  });

  // Hardware keyboards and keyboard-wedge card readers: digits, Backspace, Enter.
  useEffect(() => {
    if (staff) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement && e.target.type !== 'text') return;
      if (phase.kind === 'result' || phase.kind === 'error') {
        if (e.key === 'Enter' || e.key === 'Escape') clearResult();
        return;
      }
      if (/^[0-9A-Za-z]$/.test(e.key)) {
        setTyped((t) => (t + e.key.toUpperCase()).slice(0, 32));
        setTypedError(null);
      } else if (e.key === 'Backspace') setTyped((t) => t.slice(0, -1));
      else if (e.key === 'Enter') void submit({ kind: mode, value: typed });
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [staff, phase.kind, mode, typed, submit, clearResult]);

  const press = (k: string) => {
    enterFullscreen();
    setTypedError(null);
    if (k === 'back') setTyped((t) => t.slice(0, -1));
    else if (k === 'clear') setTyped('');
    else setTyped((t) => (t + k).slice(0, 32));
  };

  const modeInfo = TYPED_KINDS.find((t) => t.kind === mode)!;
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'];

  return (
    <div className="kiosk" data-testid="kiosk">
      <header className="kiosk-top">
        <div className="kiosk-brand">
          <svg width="30" height="30" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="var(--brand)" />
            <path d="M9 25V13l7-5 7 5v12h-4.5v-7h-5v7z" fill="#fff" />
          </svg>
          <span>{orgName ?? 'Gatehouse'}</span>
        </div>
        <div className="kiosk-top-right">
          <Clock />
          <button type="button" className="kiosk-staff" onClick={() => setStaff(true)} data-testid="kiosk-staff">
            <IconShield size={18} /> Staff
          </button>
        </div>
      </header>

      <main className="kiosk-main">
        <section className="kiosk-panel kiosk-scan" aria-labelledby="kiosk-scan-title">
          <h1 id="kiosk-scan-title" className="kiosk-h">
            Scan your member pass
          </h1>
          <p className="kiosk-sub">Hold the QR code from the Gatehouse app up to the camera.</p>
          <div className="kiosk-video-wrap" data-state={camState} data-testid="kiosk-camera">
            <video ref={videoRef} className="kiosk-video" muted playsInline aria-hidden="true" />
            <div className="kiosk-frame" aria-hidden="true">
              <span />
              <span />
              <span />
              <span />
            </div>
            {camState !== 'scanning' && camState !== 'paused' && (
              <div className="kiosk-video-msg" role="status">
                <IconCamera size={32} />
                <span>
                  {camState === 'starting'
                    ? 'Starting the camera…'
                    : camState === 'off'
                      ? 'Camera off'
                      : CAMERA_PROBLEM_TEXT[camState as keyof typeof CAMERA_PROBLEM_TEXT]}
                </span>
              </div>
            )}
            {camState === 'scanning' && <div className="kiosk-scanline" aria-hidden="true" />}
          </div>
        </section>

        <section className="kiosk-panel kiosk-type" aria-labelledby="kiosk-type-title">
          <h2 id="kiosk-type-title" className="kiosk-h">
            Or type your number
          </h2>
          <div className="kiosk-modes" role="radiogroup" aria-label="What to type">
            {TYPED_KINDS.map((t) => (
              <button
                key={t.kind}
                type="button"
                role="radio"
                aria-checked={mode === t.kind}
                className={`kiosk-mode${mode === t.kind ? ' kiosk-mode-on' : ''}`}
                onClick={() => {
                  setMode(t.kind);
                  setTyped('');
                  setTypedError(null);
                }}
                data-testid={`kiosk-mode-${t.kind}`}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div className={`kiosk-display${typedError ? ' kiosk-display-error' : ''}`} aria-live="polite">
            <span className="visually-hidden">{modeInfo.label}: </span>
            <span className="kiosk-display-value" data-testid="kiosk-display">
              {typed || <span className="kiosk-placeholder">{modeInfo.hint}</span>}
            </span>
          </div>
          <p className={`kiosk-hint${typedError ? ' kiosk-hint-error' : ''}`} role={typedError ? 'alert' : undefined}>
            {typedError ?? '\u00a0'}
          </p>
          <div className="keypad">
            {keys.map((k) => (
              <button
                key={k}
                type="button"
                className={`key${k === 'back' || k === 'clear' ? ' key-fn' : ''}`}
                onClick={() => press(k)}
                aria-label={k === 'back' ? 'Delete last digit' : k === 'clear' ? 'Clear' : k}
                data-testid={`kiosk-key-${k}`}
              >
                {k === 'back' ? <IconBackspace size={28} /> : k === 'clear' ? 'Clear' : k}
              </button>
            ))}
          </div>
          <button
            type="button"
            className="kiosk-go"
            disabled={!typed || phase.kind === 'busy'}
            onClick={() => void submit({ kind: mode, value: typed })}
            data-testid="kiosk-submit"
          >
            Check in
          </button>
        </section>
      </main>

      {phase.kind === 'busy' && (
        <div className="kiosk-overlay kiosk-overlay-busy" role="status">
          <span className="spinner kiosk-spinner" aria-hidden="true" />
          <p>Checking…</p>
        </div>
      )}
      {phase.kind === 'result' && <ResultScreen result={phase.result} onDismiss={clearResult} />}
      {phase.kind === 'error' && (
        <button type="button" className="kiosk-overlay kiosk-overlay-error" onClick={clearResult} data-testid="kiosk-error">
          <span className="kiosk-result-icon">
            <IconAlert size={72} />
          </span>
          <span className="kiosk-result-headline">{phase.title}</span>
          <span className="kiosk-result-reason">{phase.text}</span>
        </button>
      )}
      {staff && (
        <StaffExit
          config={config}
          camera={camera}
          onCamera={setCamera}
          onClose={() => setStaff(false)}
          onReset={() => {
            clearKioskConfig();
            onReset();
          }}
        />
      )}
    </div>
  );
}

function ResultScreen({ result, onDismiss }: { result: KioskResult; onDismiss: () => void }) {
  return (
    <button
      type="button"
      className={`kiosk-overlay kiosk-result ${result.granted ? 'kiosk-result-granted' : 'kiosk-result-denied'}`}
      onClick={onDismiss}
      data-testid="kiosk-result"
      data-status={result.granted ? 'GRANTED' : 'DENIED'}
      aria-live="assertive"
    >
      <span className="kiosk-result-icon">{result.granted ? <IconCheck size={96} strokeWidth={2.5} /> : <IconClose size={96} strokeWidth={2.5} />}</span>
      <span className="kiosk-result-status" data-testid="kiosk-result-status">
        {result.granted ? 'GRANTED' : 'DENIED'}
      </span>
      <span className="kiosk-result-headline">
        {result.granted ? (result.name ? `Welcome, ${result.name}` : 'Welcome') : result.name ?? 'Access denied'}
      </span>
      {result.name && <span className="visually-hidden" data-testid="kiosk-result-name">{result.name}</span>}
      {result.reason && (
        <span className="kiosk-result-reason" data-testid="kiosk-result-reason">
          {result.reason}
        </span>
      )}
      <span className="kiosk-result-bar" style={{ animationDuration: `${RESULT_MS}ms` }} aria-hidden="true" />
      <span className="kiosk-result-tap">Tap to continue</span>
    </button>
  );
}

function StaffExit({
  config,
  camera,
  onCamera,
  onClose,
  onReset,
}: {
  config: KioskConfig;
  camera: boolean;
  onCamera: (v: boolean) => void;
  onClose: () => void;
  onReset: () => void;
}) {
  const navigate = useNavigate();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [unlocked, setUnlocked] = useState(false);
  const [lockedUntil, setLockedUntil] = useState(0);
  const tries = useRef(0);
  const [, tick] = useState(0);

  useEffect(() => {
    if (lockedUntil <= Date.now()) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [lockedUntil]);

  // Back to the kiosk by itself when nobody finishes.
  useEffect(() => {
    const t = setTimeout(onClose, 60_000);
    return () => clearTimeout(t);
  }, [onClose, pin, unlocked]);

  const locked = lockedUntil > Date.now();
  const check = async () => {
    if (locked || !pin) return;
    if (await verifyPin(pin, config)) {
      tries.current = 0;
      setUnlocked(true);
      setError(null);
      return;
    }
    tries.current++;
    setPin('');
    if (tries.current >= MAX_PIN_TRIES) {
      tries.current = 0;
      setLockedUntil(Date.now() + PIN_LOCK_MS);
      setError(`Too many wrong PINs. Try again in ${PIN_LOCK_MS / 1000} s.`);
    } else setError('Wrong PIN');
  };

  const press = (k: string) => {
    setError(null);
    if (k === 'back') setPin((p) => p.slice(0, -1));
    else if (k === 'ok') void check();
    else setPin((p) => (p + k).slice(0, 12));
  };

  return (
    <div className="kiosk-overlay kiosk-staff-overlay" role="dialog" aria-modal="true" aria-labelledby="staff-title" data-testid="kiosk-staff-dialog">
      <div className="kiosk-staff-panel">
        <button type="button" className="icon-btn kiosk-staff-close" onClick={onClose} aria-label="Back to the kiosk">
          <IconClose size={22} />
        </button>
        {!unlocked ? (
          <>
            <h2 id="staff-title" className="kiosk-h">
              Staff PIN
            </h2>
            <p className="kiosk-sub">Enter the PIN to leave kiosk mode.</p>
            <div className={`pin-dots${error ? ' pin-dots-error' : ''}`} aria-hidden="true">
              {Array.from({ length: Math.max(4, pin.length) }, (_, i) => (
                <span key={i} className={i < pin.length ? 'on' : ''} />
              ))}
            </div>
            <input
              className="visually-hidden"
              type="password"
              inputMode="numeric"
              aria-label="Staff PIN"
              value={pin}
              onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, 12))}
              onKeyDown={(e) => e.key === 'Enter' && void check()}
              autoFocus
              data-testid="kiosk-exit-pin"
            />
            <p className="kiosk-hint kiosk-hint-error" role="alert" data-testid="kiosk-pin-error">
              {locked ? `Too many wrong PINs. Try again in ${Math.ceil((lockedUntil - Date.now()) / 1000)} s.` : error ?? '\u00a0'}
            </p>
            <div className="keypad keypad-small">
              {['1', '2', '3', '4', '5', '6', '7', '8', '9', 'back', '0', 'ok'].map((k) => (
                <button
                  key={k}
                  type="button"
                  className={`key${k === 'back' ? ' key-fn' : k === 'ok' ? ' key-ok' : ''}`}
                  onClick={() => press(k)}
                  disabled={locked}
                  aria-label={k === 'back' ? 'Delete last digit' : k === 'ok' ? 'Confirm PIN' : k}
                  data-testid={`kiosk-pin-key-${k}`}
                >
                  {k === 'back' ? <IconBackspace size={24} /> : k === 'ok' ? 'OK' : k}
                </button>
              ))}
            </div>
          </>
        ) : (
          <div className="kiosk-staff-menu" data-testid="kiosk-staff-menu">
            <h2 id="staff-title" className="kiosk-h">
              Staff menu
            </h2>
            <button type="button" className="kiosk-menu-btn" onClick={onClose}>
              Back to the kiosk
            </button>
            <button type="button" className="kiosk-menu-btn" onClick={() => onCamera(!camera)}>
              {camera ? 'Turn the camera off' : 'Turn the camera on'}
            </button>
            <button
              type="button"
              className="kiosk-menu-btn"
              onClick={() => {
                if (document.fullscreenElement) document.exitFullscreen().catch(() => undefined);
                navigate('/');
              }}
              data-testid="kiosk-exit"
            >
              Leave kiosk mode
            </button>
            <button type="button" className="kiosk-menu-btn kiosk-menu-danger" onClick={onReset} data-testid="kiosk-forget">
              Forget the device key and PIN
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
