import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api/endpoints';
import { ApiError } from '../../api/problem';
import type { UnlockResult, Zone } from '../../api/types';
import { Alert, Button, Dialog, TextField } from '../../components/ui';
import { useAuth } from '../../auth';
import { visibleNav } from '../../nav';
import { Link, useLocation } from '../../router';
import { occupancyRatio, occupancyTone } from '../../zones';

export function AccessTabs() {
  const { pathname } = useLocation();
  const { user } = useAuth();
  // The same sections, for the same roles, as the navigation's Access entry.
  const tabs = (visibleNav(user?.role).find((n) => n.to === '/access')?.children ?? []).map((c) => ({ to: c.to, label: c.label }));
  return (
    <nav className="tabs" aria-label="Access sections">
      {tabs.map((t) => (
        <Link key={t.to} to={t.to} className={`tab${pathname === t.to ? ' tab-active' : ''}`} aria-current={pathname === t.to ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

/** A horizontal occupancy gauge: "12 / 40" with a bar (or "12 inside" when unlimited). */
export function OccupancyGauge({ current, max, compact, label }: { current?: number | null; max?: number | null; compact?: boolean; label?: string }) {
  const ratio = occupancyRatio(current, max);
  const tone = occupancyTone(ratio);
  const cur = current ?? 0;
  const text = max ? `${cur} / ${max}` : `${cur} inside`;
  return (
    <div className={`gauge gauge-${tone}${compact ? ' gauge-compact' : ''}`} data-testid="occupancy-gauge">
      {ratio !== null ? (
        <div
          className="gauge-track"
          role="meter"
          aria-label={label ? `Occupancy of ${label}` : 'Occupancy'}
          aria-valuemin={0}
          aria-valuemax={max ?? 0}
          aria-valuenow={cur}
          aria-valuetext={`${cur} of ${max}`}
        >
          <div className="gauge-fill" style={{ width: `${Math.min(100, ratio * 100)}%` }} />
        </div>
      ) : (
        <div className="gauge-track gauge-unlimited" aria-hidden="true" />
      )}
      <span className="gauge-text" data-testid="occupancy-text">
        {text}
      </span>
    </div>
  );
}

/** Loads the zone tree; reload() refreshes it. */
export function useZoneTree() {
  const [tree, setTree] = useState<Zone[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const ctrlRef = useRef<AbortController | null>(null);
  const reload = useCallback(async () => {
    ctrlRef.current?.abort();
    const ctrl = new AbortController();
    ctrlRef.current = ctrl;
    try {
      const t = await api.zoneTree(ctrl.signal);
      if (!ctrl.signal.aborted) {
        setTree(t);
        setError(null);
      }
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return;
      setError(e);
    }
  }, []);
  useEffect(() => {
    void reload();
    return () => ctrlRef.current?.abort();
  }, [reload]);
  return { tree, error, reload, setTree };
}

/** Confirms and sends a remote unlock; shows the adapter's answer. */
export function UnlockDialog({ zone, onClose }: { zone: Zone | null; onClose: () => void }) {
  const [duration, setDuration] = useState('5');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<UnlockResult | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  useEffect(() => {
    if (!zone) return;
    setDuration('5');
    setError(null);
    setResult(null);
    setFailure(null);
  }, [zone]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!zone) return;
    const n = Number(duration);
    if (!/^\d+$/.test(duration.trim()) || n < 1 || n > 3600) {
      setError('Enter a number of seconds from 1 to 3600');
      return;
    }
    setError(null);
    setBusy(true);
    setFailure(null);
    try {
      setResult(await api.unlockZone(zone.id, n));
    } catch (err) {
      if (err instanceof ApiError && err.fieldErrors.durationSeconds) setError(err.fieldErrors.durationSeconds);
      else setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={!!zone}
      title={zone ? `Unlock ${zone.name}?` : 'Unlock'}
      description="The door opens for the time below and locks again by itself. The unlock is recorded in the audit log with your name."
      onClose={onClose}
      data-testid="unlock-dialog"
      footer={
        result ? (
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        ) : (
          <>
            <Button variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button variant="primary" type="submit" form="unlock-form" busy={busy} data-testid="unlock-confirm">
              Unlock door
            </Button>
          </>
        )
      }
    >
      {result ? (
        <Alert tone={result.success ? 'success' : 'danger'} title={result.success ? 'Door unlocked' : 'The door did not unlock'} data-testid="unlock-result">
          {result.message || (result.success ? `Open for ${duration} s.` : 'No reason was given.')}
          {result.adapter && <span className="muted"> · via {result.adapter}</span>}
        </Alert>
      ) : (
        <form id="unlock-form" className="form" onSubmit={submit} noValidate>
          {failure instanceof ApiError || failure instanceof Error ? (
            <Alert tone="danger" title="The door could not be unlocked">
              {(failure as Error).message}
            </Alert>
          ) : null}
          <TextField
            label="Hold open for (seconds)"
            name="durationSeconds"
            type="number"
            inputMode="numeric"
            min={1}
            max={3600}
            value={duration}
            onChange={(e) => setDuration(e.target.value)}
            error={error ?? undefined}
            hint="1 to 3600 seconds; 5 is usual for a person walking through."
          />
        </form>
      )}
    </Dialog>
  );
}
