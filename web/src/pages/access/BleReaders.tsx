// BLE readers and range (docs/phone-credentials.md, "Gateway"): the RSSI
// calibration of each reader antenna and the range limit of each zone decide
// whether a phone heard by a gateway is close enough to check in.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { ApiError } from '../../api/problem';
import { BLE_RANGES, type BleRange, type BleReader, type BleZoneRange, type Zone } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Alert, Button, Card, EmptyState, PageHeader, SelectField, Spinner, TextField } from '../../components/ui';
import { useTitle } from '../../hooks';
import { flattenZones } from '../../zones';
import { AccessTabs } from './common';

// The server's defaults for readers and zones it has no row for.
const DEFAULT_TX_POWER = -59;
const DEFAULT_PATH_LOSS = 2;
const DEFAULT_RANGE: BleRange = 3;

/** Distance (m) at which a reader with this calibration hears rssi dBm: the server's formula. */
export function distanceAt(rssi: number, txPower: number, n: number): number {
  return Math.pow(10, (txPower - rssi) / (10 * n));
}

export function BleReadersPage() {
  useTitle('BLE readers');
  const [readers, setReaders] = useState<BleReader[] | null>(null);
  const [ranges, setRanges] = useState<BleZoneRange[] | null>(null);
  const [zones, setZones] = useState<Zone[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      const [r, z, tree] = await Promise.all([api.listBleReaders(signal), api.listBleZones(signal), api.zoneTree(signal)]);
      setReaders(r ?? []);
      setRanges(z ?? []);
      setZones(tree);
      setError(null);
    } catch (e) {
      if (!signal?.aborted) setError(e);
    }
  }, []);

  useEffect(() => {
    const ctl = new AbortController();
    void load(ctl.signal);
    return () => ctl.abort();
  }, [load]);

  const saved = (msg: string) => {
    setNotice(msg);
    void load();
  };

  return (
    <>
      <PageHeader
        title="BLE readers"
        description="How far a member's phone may be from a Bluetooth gateway to check in: each reader's signal calibration and each zone's range."
      />
      <AccessTabs />
      {notice && (
        <Alert tone="success" data-testid="ble-notice">
          {notice}{' '}
          <button type="button" className="link-btn" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </Alert>
      )}
      <ErrorBanner error={error} title="Could not load the BLE settings" />
      {readers === null && !error ? (
        <Spinner label="Loading BLE settings…" />
      ) : (
        <>
          <ReaderCard readers={readers ?? []} onSaved={saved} />
          <ZoneRangeCard zones={zones} ranges={ranges ?? []} onSaved={saved} />
        </>
      )}
    </>
  );
}

function ReaderCard({ readers, onSaved }: { readers: BleReader[]; onSaved: (msg: string) => void }) {
  const [readerId, setReaderId] = useState('');
  const [txPower, setTxPower] = useState(String(DEFAULT_TX_POWER));
  const [pathLoss, setPathLoss] = useState(String(DEFAULT_PATH_LOSS));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const edit = (r: BleReader) => {
    setReaderId(r.readerId);
    setTxPower(String(r.txPower));
    setPathLoss(String(r.pathLossExponent));
    setErrors({});
    setError(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Only what the browser cannot send is checked here; the limits are the
    // server's (problem+json field errors are shown at the fields).
    const local: Record<string, string> = {};
    if (!readerId.trim()) local.readerId = 'Reader id is required';
    if (txPower.trim() === '' || !Number.isFinite(Number(txPower))) local.txPower = 'Enter a number (dBm)';
    if (pathLoss.trim() === '' || !Number.isFinite(Number(pathLoss))) local.pathLossExponent = 'Enter a number';
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await api.setBleReader(readerId.trim(), { txPower: Math.round(Number(txPower)), pathLossExponent: Number(pathLoss) });
      onSaved(`Calibration of ${readerId.trim()} saved.`);
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const tx = Number(txPower);
  const n = Number(pathLoss);
  const preview = Number.isFinite(tx) && Number.isFinite(n) && n > 0 ? distanceAt(-75, tx, n) : null;

  return (
    <Card title="Reader calibration">
      <p className="muted">
        TX power is the signal strength (RSSI) the reader measures from a phone 1 m away; the path-loss exponent is 2 in free space and 2.5–4
        indoors. Readers not listed use {DEFAULT_TX_POWER} dBm and {DEFAULT_PATH_LOSS}.
      </p>
      {readers.length === 0 ? (
        <EmptyState title="No calibrated readers" data-testid="ble-readers-empty">
          Gateways report a reader id with each sighting; calibrate it below.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="ble-readers-table">
            <thead>
              <tr>
                <th scope="col">Reader</th>
                <th scope="col">TX power (dBm at 1 m)</th>
                <th scope="col">Path-loss exponent</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {readers.map((r) => (
                <tr key={r.readerId} data-testid="ble-reader-row">
                  <td className="mono">{r.readerId}</td>
                  <td>{r.txPower}</td>
                  <td>{r.pathLossExponent}</td>
                  <td className="cell-actions">
                    <Button variant="ghost" onClick={() => edit(r)} aria-label={`Edit ${r.readerId}`}>
                      Edit
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorBanner error={error} title="The calibration was not saved" shownFields={['readerId', 'txPower', 'pathLossExponent']} />
      <form className="form" onSubmit={submit} noValidate data-testid="ble-reader-form">
        <TextField label="Reader id" name="readerId" value={readerId} onChange={(e) => setReaderId(e.target.value)} error={errors.readerId} placeholder="e.g. gym-door-1" />
        <TextField
          label="TX power (dBm at 1 m)"
          name="txPower"
          type="number"
          inputMode="numeric"
          value={txPower}
          onChange={(e) => setTxPower(e.target.value)}
          error={errors.txPower}
          hint="Typically −55 to −70. Measure: hold a phone 1 m from the antenna and read the RSSI."
        />
        <TextField
          label="Path-loss exponent"
          name="pathLossExponent"
          type="number"
          step="0.1"
          inputMode="decimal"
          value={pathLoss}
          onChange={(e) => setPathLoss(e.target.value)}
          error={errors.pathLossExponent}
          hint={preview !== null ? `With these values a phone heard at −75 dBm is about ${preview.toFixed(1)} m away.` : undefined}
        />
        <div>
          <Button variant="primary" type="submit" busy={busy} data-testid="ble-reader-save">
            Save calibration
          </Button>
        </div>
      </form>
    </Card>
  );
}

function ZoneRangeCard({ zones, ranges, onSaved }: { zones: Zone[] | null; ranges: BleZoneRange[]; onSaved: (msg: string) => void }) {
  const flat = useMemo(() => flattenZones(zones), [zones]);
  const current = useMemo(() => new Map(ranges.map((r) => [r.zoneId, r.rangeM])), [ranges]);
  const [draft, setDraft] = useState<Record<number, string>>({});
  const [errors, setErrors] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState<number | null>(null);

  const save = async (zone: Zone) => {
    const value = Number(draft[zone.id] ?? current.get(zone.id) ?? DEFAULT_RANGE) as BleRange;
    setBusy(zone.id);
    setErrors((e) => ({ ...e, [zone.id]: '' }));
    try {
      await api.setBleZoneRange(zone.id, value);
      setDraft((d) => {
        const { [zone.id]: _, ...rest } = d;
        return rest;
      });
      onSaved(`Range of ${zone.name} set to ${value} m.`);
    } catch (err) {
      const msg = err instanceof ApiError ? (err.fieldErrors.rangeM ?? err.message) : err instanceof Error ? err.message : 'Not saved';
      setErrors((e) => ({ ...e, [zone.id]: msg }));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card title="Zone range">
      <p className="muted">A phone estimated farther than this from the reader is ignored (the member may still walk closer). Default {DEFAULT_RANGE} m.</p>
      {flat.length === 0 ? (
        <EmptyState title="No zones" data-testid="ble-zones-empty">
          Create zones under Access → Zones first.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="ble-zones-table">
            <thead>
              <tr>
                <th scope="col">Zone</th>
                <th scope="col">Range</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {flat.map(({ zone, depth }) => {
                const value = draft[zone.id] ?? String(current.get(zone.id) ?? DEFAULT_RANGE);
                return (
                  <tr key={zone.id} data-testid="ble-zone-row" data-zone={zone.name}>
                    <td>
                      {'\u2003'.repeat(depth)}
                      {zone.name}
                    </td>
                    <td>
                      <SelectField
                        label={`Range of ${zone.name}`}
                        name={`range-${zone.id}`}
                        value={value}
                        onChange={(e) => setDraft((d) => ({ ...d, [zone.id]: e.target.value }))}
                        error={errors[zone.id] || undefined}
                      >
                        {BLE_RANGES.map((m) => (
                          <option key={m} value={m}>
                            {m} m{current.has(zone.id) || m !== DEFAULT_RANGE ? '' : ' (default)'}
                          </option>
                        ))}
                      </SelectField>
                    </td>
                    <td className="cell-actions">
                      <Button variant="secondary" onClick={() => void save(zone)} busy={busy === zone.id} data-testid="ble-zone-save">
                        Save
                      </Button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
