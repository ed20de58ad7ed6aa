import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, NetworkError } from '../api/problem';
import { useAuth } from '../auth';
import { Alert, Button, TextField } from '../components/ui';
import { useTitle } from '../hooks';
import { useNavigate, useSearchParams } from '../router';

export function safeNext(next: string | null): string {
  // Only same-origin paths, never "//host" or "/login" loops.
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/';
  return next;
}

export function LoginPage() {
  useTitle('Sign in');
  const { login, sessionNotice } = useAuth();
  const navigate = useNavigate();
  const params = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [retryUntil, setRetryUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);

  const waitSeconds = retryUntil ? Math.max(0, Math.ceil((retryUntil - now) / 1000)) : 0;

  useEffect(() => {
    if (!retryUntil) return;
    const t = setInterval(() => {
      const n = Date.now();
      setNow(n);
      if (n >= retryUntil) {
        setRetryUntil(null);
        setError(null);
      }
    }, 250);
    return () => clearInterval(t);
  }, [retryUntil]);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (waitSeconds > 0) return;
    setError(null);
    const local: Record<string, string> = {};
    if (!email.trim()) local.email = 'Enter your email address';
    if (!password) local.password = 'Enter your password';
    setFieldErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await login(email.trim(), password);
      navigate(safeNext(params.get('next')), { replace: true });
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.status === 401) {
          setError('Email or password is incorrect.');
        } else if (err.status === 429) {
          const secs = err.retryAfterSeconds ?? 60;
          setNow(Date.now());
          setRetryUntil(Date.now() + secs * 1000);
          setError('too-many');
        } else if (err.status === 400 || err.status === 422) {
          setFieldErrors(err.fieldErrors);
          setError(err.fieldErrors[''] ?? (Object.keys(err.fieldErrors).length ? null : err.message));
        } else {
          setError(err.message);
        }
      } else if (err instanceof NetworkError) {
        setError(err.message);
      } else {
        setError('Sign-in failed. Please try again.');
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <div className="login-panel">
        <div className="login-brand">
          <svg width="40" height="40" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="var(--brand)" />
            <path d="M9 25V13l7-5 7 5v12h-4.5v-7h-5v7z" fill="#fff" />
          </svg>
          <span>Gatehouse</span>
        </div>
        <h1 className="login-title">Sign in</h1>
        <p className="login-subtitle">Access control, check-in and scheduling for your space.</p>

        {sessionNotice && !error && <Alert tone="info">{sessionNotice}</Alert>}
        {error === 'too-many' ? (
          <Alert tone="warning" data-testid="login-error">
            {waitSeconds > 0 ? (
              <>Too many attempts, retry in {waitSeconds} s.</>
            ) : (
              <>You can try again now.</>
            )}
          </Alert>
        ) : (
          error && (
            <Alert tone="danger" data-testid="login-error">
              {error}
            </Alert>
          )
        )}

        <form onSubmit={onSubmit} className="form" noValidate>
          <TextField
            label="Email"
            type="email"
            name="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            error={fieldErrors.email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <TextField
            label="Password"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            error={fieldErrors.password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <Button
            type="submit"
            variant="primary"
            className="btn-block"
            busy={busy}
            disabled={waitSeconds > 0}
            data-testid="login-submit"
          >
            {waitSeconds > 0 ? `Retry in ${waitSeconds} s` : 'Sign in'}
          </Button>
        </form>
      </div>
      <p className="login-footer">Gatehouse · open-source access control</p>
    </div>
  );
}
