import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, itemsOf } from '../api/endpoints';
import { ApiError } from '../api/problem';
import { DEVICE_KINDS, type Device, type DeviceKind, type NewDevice, type Zone } from '../api/types';
import { useAuth } from '../auth';
import { ErrorBanner } from '../components/ErrorBanner';
import { IconCheck, IconCopy, IconDevices, IconPlus } from '../components/Icons';
import { Alert, Badge, Button, Card, Dialog, EmptyState, PageHeader, SelectField, Spinner, TextField } from '../components/ui';
import { formatInstant } from '../format';
import { useTitle } from '../hooks';
import { flattenZones } from '../zones';

export const DEVICE_KIND_LABEL: Record<DeviceKind, string> = {
  KIOSK: 'Kiosk tablet',
  READER: 'Card reader',
  QR_DISPLAY: 'QR door display',
  GATEWAY: 'BLE gateway',
};

const DEVICE_KIND_HINT: Record<DeviceKind, string> = {
  KIOSK: 'A tablet at the entrance running Gatehouse’s kiosk page (/kiosk).',
  READER: 'A card or PIN reader that sends check-ins to the API.',
  QR_DISPLAY: 'A screen at a door that shows the rotating door QR code.',
  GATEWAY: 'A Bluetooth gateway that reports phones near a door.',
};

export function DevicesPage() {
  useTitle('Devices');
  const { user } = useAuth();
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [zones, setZones] = useState<Zone[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<NewDevice | null>(null);
  const [revoking, setRevoking] = useState<Device | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setDevices(itemsOf(await api.listDevices()));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    void load();
    // Zones are optional here: without the access module the list just has no zone column.
    api
      .zoneTree()
      .then(setZones)
      .catch(() => setZones(null));
  }, [load]);

  const flat = useMemo(() => flattenZones(zones), [zones]);
  const zoneName = (id: number | null | undefined) => (id == null ? null : flat.find((f) => f.zone.id === id)?.zone.name ?? `Zone #${id}`);

  return (
    <>
      <PageHeader
        title="Devices"
        description="Card readers, kiosk tablets, QR door displays and BLE gateways. Each device signs in with its own API key."
        actions={
          <Button variant="primary" icon={IconPlus} onClick={() => setCreating(true)} data-testid="new-device">
            Register device
          </Button>
        }
      />
      {notice && (
        <Alert tone="success" data-testid="device-notice">
          {notice}{' '}
          <button type="button" className="link-btn" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </Alert>
      )}
      <ErrorBanner error={error} title="Could not load the devices" />
      {devices === null && !error ? (
        <Spinner label="Loading devices…" />
      ) : devices && devices.length === 0 ? (
        <Card>
          <EmptyState
            icon={IconDevices}
            title="No devices yet"
            data-testid="devices-empty"
            actions={
              <Button variant="primary" icon={IconPlus} onClick={() => setCreating(true)}>
                Register a device
              </Button>
            }
          >
            Register a kiosk tablet for the entrance, or a reader for a door. You get an API key to enter on the device.
          </EmptyState>
        </Card>
      ) : (
        devices && (
          <Card className="card-flush">
            <div className="table-wrap">
              <table className="table" data-testid="devices-table">
                <thead>
                  <tr>
                    <th scope="col">Device</th>
                    <th scope="col">Zone</th>
                    <th scope="col" className="hide-md">
                      Key
                    </th>
                    <th scope="col">Last seen</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {devices.map((d) => (
                    <tr key={d.id} data-testid="device-row">
                      <td>
                        <div className="cell-title">{d.name}</div>
                        <div className="cell-sub">{DEVICE_KIND_LABEL[d.kind] ?? d.kind}</div>
                      </td>
                      <td>{zoneName(d.zoneId) ?? <span className="muted">Any / main entrance</span>}</td>
                      <td className="hide-md">
                        <span className="mono">{d.keyPrefix}…</span>
                      </td>
                      <td className="nowrap">{d.lastSeenAt ? formatInstant(d.lastSeenAt, user?.entity?.timezone) : <span className="muted">Never</span>}</td>
                      <td>
                        {d.revokedAt ? (
                          <Badge tone="neutral" data-testid="device-status">
                            Revoked
                          </Badge>
                        ) : (
                          <Badge tone="success" data-testid="device-status">
                            Active
                          </Badge>
                        )}
                      </td>
                      <td className="cell-actions">
                        {!d.revokedAt && (
                          <Button variant="ghost" className="btn-ghost-danger" onClick={() => setRevoking(d)} aria-label={`Revoke ${d.name}`}>
                            Revoke
                          </Button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        )
      )}
      <CreateDeviceDialog
        open={creating}
        zones={zones}
        onClose={() => setCreating(false)}
        onCreated={(d) => {
          setCreating(false);
          setCreated(d);
          void load();
        }}
      />
      <ApiKeyDialog device={created} onClose={() => setCreated(null)} />
      <RevokeDeviceDialog
        device={revoking}
        onClose={() => setRevoking(null)}
        onDone={(d) => {
          setRevoking(null);
          setNotice(`${d.name} was revoked. Its key no longer works.`);
          void load();
        }}
      />
    </>
  );
}

function CreateDeviceDialog({
  open,
  zones,
  onClose,
  onCreated,
}: {
  open: boolean;
  zones: Zone[] | null;
  onClose: () => void;
  onCreated: (d: NewDevice) => void;
}) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<DeviceKind>('KIOSK');
  const [zoneId, setZoneId] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const flat = useMemo(() => flattenZones(zones), [zones]);

  useEffect(() => {
    if (!open) return;
    setName('');
    setKind('KIOSK');
    setZoneId('');
    setErrors({});
    setError(null);
  }, [open]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'Name is required';
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      onCreated(await api.createDevice({ name: name.trim(), kind, ...(zoneId ? { zoneId: Number(zoneId) } : {}) }));
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      title="Register a device"
      description="The device gets an API key. You see it once, right after this step."
      onClose={onClose}
      data-testid="create-device-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="device-form" busy={busy} data-testid="create-device-submit">
            Register device
          </Button>
        </>
      }
    >
      <ErrorBanner error={error} title="The device could not be registered" shownFields={['name', 'kind', 'zoneId']} />
      <form id="device-form" className="form" onSubmit={submit} noValidate>
        <TextField label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} placeholder="e.g. Front desk kiosk" />
        <SelectField label="Kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value as DeviceKind)} error={errors.kind} hint={DEVICE_KIND_HINT[kind]}>
          {DEVICE_KINDS.map((k) => (
            <option key={k} value={k}>
              {DEVICE_KIND_LABEL[k]}
            </option>
          ))}
        </SelectField>
        {zones !== null && (
          <SelectField
            label="Zone"
            name="zoneId"
            optional
            value={zoneId}
            onChange={(e) => setZoneId(e.target.value)}
            error={errors.zoneId}
            hint="Where the device stands. Check-ins it sends are for this zone."
          >
            <option value="">Main entrance (no zone)</option>
            {flat.map((f) => (
              <option key={f.zone.id} value={f.zone.id}>
                {'\u2003'.repeat(f.depth)}
                {f.zone.name}
              </option>
            ))}
          </SelectField>
        )}
      </form>
    </Dialog>
  );
}

function ApiKeyDialog({ device, onClose }: { device: NewDevice | null; onClose: () => void }) {
  const [copied, setCopied] = useState<'ok' | 'failed' | null>(null);
  useEffect(() => setCopied(null), [device]);
  const copy = async () => {
    if (!device) return;
    try {
      await navigator.clipboard.writeText(device.apiKey);
      setCopied('ok');
    } catch {
      // No clipboard permission (or not a secure context): select the text instead.
      const el = document.getElementById('device-api-key');
      if (el) window.getSelection()?.selectAllChildren(el);
      setCopied('failed');
    }
  };
  return (
    <Dialog
      open={!!device}
      title={device ? `${device.name} is registered` : 'Device registered'}
      onClose={onClose}
      data-testid="api-key-dialog"
      footer={
        <Button variant="primary" onClick={onClose} data-testid="api-key-done">
          I have stored the key
        </Button>
      }
    >
      <Alert tone="warning" title="Copy this key now">
        It is shown only once. Gatehouse stores only a hash of it; if it is lost, revoke the device and register it again.
      </Alert>
      <div className="secret">
        <code id="device-api-key" className="secret-value" data-testid="api-key">
          {device?.apiKey}
        </code>
        <Button variant="secondary" icon={copied === 'ok' ? IconCheck : IconCopy} onClick={copy} data-testid="copy-api-key">
          {copied === 'ok' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      {copied === 'failed' && <p className="field-hint">The browser did not allow copying. The key is selected: press Ctrl+C (⌘C).</p>}
      {device?.kind === 'KIOSK' && (
        <p className="card-note">
          On the entrance tablet, open <a href="/kiosk" target="_blank" rel="noreferrer">/kiosk</a>, enter this key and choose a staff PIN.
        </p>
      )}
    </Dialog>
  );
}

function RevokeDeviceDialog({ device, onClose, onDone }: { device: Device | null; onClose: () => void; onDone: (d: Device) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setError(null), [device]);
  return (
    <Dialog
      open={!!device}
      title={device ? `Revoke ${device.name}?` : 'Revoke device'}
      description="Its API key stops working at once. This cannot be undone; register the device again to give it a new key."
      onClose={onClose}
      data-testid="revoke-device-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="danger"
            busy={busy}
            data-testid="revoke-device-confirm"
            onClick={async () => {
              if (!device) return;
              setBusy(true);
              try {
                await api.revokeDevice(device.id);
                onDone(device);
              } catch (e) {
                setError(e);
              } finally {
                setBusy(false);
              }
            }}
          >
            Revoke device
          </Button>
        </>
      }
    >
      <ErrorBanner error={error} title="The device could not be revoked" />
    </Dialog>
  );
}
