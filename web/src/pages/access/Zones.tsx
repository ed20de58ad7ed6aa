import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, itemsOf } from '../../api/endpoints';
import { ApiError } from '../../api/problem';
import { ZONE_TYPES, type ContractTemplate, type DoorEvent, type ReaderStatus, type UnlockResult, type Zone, type ZoneType, type ZoneWrite } from '../../api/types';
import { isAdmin, useAuth } from '../../auth';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconAccess, IconEdit, IconPlus, IconUnlock } from '../../components/Icons';
import { Alert, Badge, Button, Card, Dialog, EmptyState, Field, PageHeader, SelectField, Spinner, TextField } from '../../components/ui';
import { formatInstant } from '../../format';
import { useTitle } from '../../hooks';
import { Link } from '../../router';
import { flattenZones, subtreeIds, ZONE_TYPE_LABEL, zoneLabel, type FlatZone } from '../../zones';
import { AccessTabs, OccupancyGauge, UnlockDialog, useZoneTree } from './common';

const REFRESH_MS = 10_000;

export function ZonesPage() {
  useTitle('Zones');
  const { user } = useAuth();
  const admin = isAdmin(user?.role);
  const { tree, error, reload } = useZoneTree();
  const [editing, setEditing] = useState<{ zone: Zone | null; parentId: number | null } | null>(null);
  const [deactivating, setDeactivating] = useState<Zone | null>(null);
  const [unlocking, setUnlocking] = useState<Zone | null>(null);
  const [doorZone, setDoorZone] = useState<Zone | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  // Occupancy changes with every check-in: refresh while the page is visible.
  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, REFRESH_MS);
    return () => clearInterval(t);
  }, [reload]);

  const flat = useMemo(() => flattenZones(tree), [tree]);
  const inside = flat.filter((f) => f.depth === 0).reduce((n, f) => n + (f.zone.currentOccupancy ?? 0), 0);

  return (
    <>
      <PageHeader
        title="Access"
        description="Zones, their rules and who is inside right now."
        actions={
          admin && (
            <Button variant="primary" icon={IconPlus} onClick={() => setEditing({ zone: null, parentId: null })} data-testid="new-zone">
              New zone
            </Button>
          )
        }
      />
      <AccessTabs />
      {notice && (
        <Alert tone="success" data-testid="zone-notice">
          {notice}{' '}
          <button type="button" className="link-btn" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </Alert>
      )}
      <ErrorBanner error={error} title="Could not load the zones" />
      {tree === null && !error ? (
        <Spinner label="Loading zones…" />
      ) : tree && flat.length === 0 ? (
        <Card>
          <EmptyState
            icon={IconAccess}
            title="No zones yet"
            data-testid="zones-empty"
            actions={
              admin && (
                <Button variant="primary" icon={IconPlus} onClick={() => setEditing({ zone: null, parentId: null })}>
                  Create the first zone
                </Button>
              )
            }
          >
            Start with a building, then add its floors, rooms and lockers. Each zone can limit how many people are inside and
            which plans may enter.
          </EmptyState>
        </Card>
      ) : (
        tree && (
          <Card className="card-flush" data-testid="zones-card">
            <div className="zone-summary">
              <span>
                <strong>{flat.length}</strong> {flat.length === 1 ? 'zone' : 'zones'}
              </span>
              <span>
                <strong>{inside}</strong> {inside === 1 ? 'person' : 'people'} inside
              </span>
              <span className="muted">Occupancy refreshes every {REFRESH_MS / 1000} s</span>
            </div>
            <ul className="zone-tree" role="tree" aria-label="Zones">
              {flat.map((f) => (
                <ZoneRow
                  key={f.zone.id}
                  f={f}
                  admin={admin}
                  onEdit={() => setEditing({ zone: f.zone, parentId: f.zone.parentZoneId ?? null })}
                  onAddChild={() => setEditing({ zone: null, parentId: f.zone.id })}
                  onDeactivate={() => setDeactivating(f.zone)}
                  onUnlock={() => setUnlocking(f.zone)}
                  onDoor={() => setDoorZone(f.zone)}
                />
              ))}
            </ul>
          </Card>
        )
      )}
      <ZoneDialog
        state={editing}
        tree={tree ?? []}
        onClose={() => setEditing(null)}
        onSaved={(z, created) => {
          setEditing(null);
          setNotice(created ? `Zone “${z.name}” created.` : `Zone “${z.name}” saved.`);
          void reload();
        }}
      />
      <DeactivateZoneDialog
        zone={deactivating}
        onClose={() => setDeactivating(null)}
        onDone={(z) => {
          setDeactivating(null);
          setNotice(`Zone “${z.name}” deactivated. Check-ins to it are now denied.`);
          void reload();
        }}
      />
      <UnlockDialog zone={unlocking} onClose={() => setUnlocking(null)} />
      <DoorDialog
        zone={doorZone}
        onClose={() => setDoorZone(null)}
        onSaved={(z) => {
          setNotice(`Door of “${z.name}” saved.`);
          void reload();
        }}
      />
    </>
  );
}

function ZoneRow({
  f,
  admin,
  onEdit,
  onAddChild,
  onDeactivate,
  onUnlock,
  onDoor,
}: {
  f: FlatZone;
  admin: boolean;
  onEdit: () => void;
  onAddChild: () => void;
  onDeactivate: () => void;
  onUnlock: () => void;
  onDoor: () => void;
}) {
  const z = f.zone;
  return (
    <li
      className={`zone-row${z.active ? '' : ' zone-row-inactive'}`}
      role="treeitem"
      aria-level={f.depth + 1}
      aria-selected={false}
      data-testid="zone-row"
      data-zone-id={z.id}
      style={{ ['--depth' as string]: f.depth }}
    >
      <div className="zone-main">
        <span className={`zone-type zone-type-${z.typeCd.toLowerCase()}`} aria-hidden="true">
          {ZONE_TYPE_LABEL[z.typeCd]?.[0] ?? '?'}
        </span>
        <div className="zone-text">
          <div className="zone-name">
            <span className="cell-title" data-testid="zone-name">
              {z.name}
            </span>
            {!z.active && <Badge tone="neutral">Inactive</Badge>}
          </div>
          <div className="cell-sub">
            {ZONE_TYPE_LABEL[z.typeCd] ?? z.typeCd}
            {z.requiresContractTier ? ` · tier ${z.requiresContractTier} or higher` : ' · any active contract'}
          </div>
        </div>
      </div>
      <div className="zone-gauge">
        <OccupancyGauge current={z.currentOccupancy} max={z.maxOccupancy} compact label={z.name} />
      </div>
      <div className="zone-actions">
        <Link to={`/access/rules?zoneId=${z.id}`} className="btn btn-ghost btn-sm">
          Rules
        </Link>
        {admin && (
          <>
            <Button variant="ghost" className="btn-sm" icon={IconUnlock} onClick={onUnlock} disabled={!z.active} aria-label={`Unlock ${z.name}`}>
              <span className="hide-sm">Unlock</span>
            </Button>
            <Button variant="ghost" className="btn-sm" onClick={onDoor} aria-label={`Door of ${z.name}`} data-testid="zone-door">
              <span className="hide-sm">Door</span>
            </Button>
            <Button variant="ghost" className="btn-sm" icon={IconPlus} onClick={onAddChild} aria-label={`Add a zone inside ${z.name}`}>
              <span className="hide-sm">Add</span>
            </Button>
            <Button variant="ghost" className="btn-sm" onClick={onEdit} aria-label={`Edit ${z.name}`} data-testid="edit-zone">
              <IconEdit size={16} />
            </Button>
            {z.active && (
              <Button variant="ghost" className="btn-sm btn-ghost-danger" onClick={onDeactivate} aria-label={`Deactivate ${z.name}`}>
                <span>Deactivate</span>
              </Button>
            )}
          </>
        )}
      </div>
    </li>
  );
}

const ZONE_FIELDS = ['name', 'typeCd', 'parentZoneId', 'maxOccupancy', 'requiresContractTier', 'resetTime', 'active'];

/** A sensible default type below a parent. */
function childType(parent: Zone | undefined): ZoneType {
  if (!parent) return 'BUILDING';
  return ({ BUILDING: 'FLOOR', FLOOR: 'ROOM', ROOM: 'AREA', AREA: 'LOCKER', LOCKER: 'LOCKER' } as const)[parent.typeCd];
}

function ZoneDialog({
  state,
  tree,
  onClose,
  onSaved,
}: {
  state: { zone: Zone | null; parentId: number | null } | null;
  tree: Zone[];
  onClose: () => void;
  onSaved: (z: Zone, created: boolean) => void;
}) {
  const zone = state?.zone ?? null;
  const flat = useMemo(() => flattenZones(tree), [tree]);
  const [name, setName] = useState('');
  const [typeCd, setTypeCd] = useState<ZoneType>('BUILDING');
  const [parentId, setParentId] = useState('');
  const [maxOccupancy, setMaxOccupancy] = useState('');
  const [tier, setTier] = useState('');
  const [active, setActive] = useState(true);
  const [resetTime, setResetTime] = useState('00:00');
  const [templates, setTemplates] = useState<ContractTemplate[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!state) return;
    const parent = flat.find((f) => f.zone.id === state.parentId)?.zone;
    setName(zone?.name ?? '');
    setTypeCd(zone?.typeCd ?? childType(parent));
    setParentId(state.parentId ? String(state.parentId) : '');
    setMaxOccupancy(zone?.maxOccupancy != null ? String(zone.maxOccupancy) : '');
    setTier(zone?.requiresContractTier ?? '');
    setActive(zone?.active ?? true);
    setResetTime(zone?.resetTime ?? '00:00');
    setErrors({});
    setError(null);
    setConflict(false);
    const ctrl = new AbortController();
    api
      .listTemplates(ctrl.signal)
      .then((p) => setTemplates(itemsOf(p)))
      .catch(() => setTemplates([]));
    return () => ctrl.abort();
  }, [state]); // eslint-disable-line react-hooks/exhaustive-deps

  const excluded = useMemo(() => (zone ? subtreeIds(tree, zone.id) : new Set<number>()), [tree, zone]);
  const tiers = useMemo(() => {
    const byCode = new Map<string, { code: string; rank: number; names: string[] }>();
    for (const t of templates) {
      const e = byCode.get(t.tierCd) ?? { code: t.tierCd, rank: t.tierRank, names: [] };
      e.names.push(t.name);
      byCode.set(t.tierCd, e);
    }
    if (tier && !byCode.has(tier)) byCode.set(tier, { code: tier, rank: -1, names: [] });
    return [...byCode.values()].sort((a, b) => a.rank - b.rank);
  }, [templates, tier]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'Name is required';
    else if (name.trim().length > 200) local.name = 'Name must be at most 200 characters';
    const max = maxOccupancy.trim();
    if (max && (!/^\d+$/.test(max) || Number(max) < 1 || Number(max) > 100000)) local.maxOccupancy = 'Enter a whole number of people from 1 to 100000, or leave it empty';
    if (resetTime.trim() && !/^([01]\d|2[0-3]):[0-5]\d$/.test(resetTime.trim())) local.resetTime = 'Use the 24-hour format HH:MM, e.g. 00:00';
    setErrors(local);
    setError(null);
    setConflict(false);
    if (Object.keys(local).length) return;
    // Absent fields mean "none" (top level, unlimited, any contract); the API takes no nulls.
    const body: ZoneWrite = {
      name: name.trim(),
      typeCd,
      ...(parentId ? { parentZoneId: Number(parentId) } : {}),
      ...(max ? { maxOccupancy: Number(max) } : {}),
      ...(tier ? { requiresContractTier: tier } : {}),
      ...(resetTime.trim() ? { resetTime: resetTime.trim() } : {}),
      active,
    };
    setBusy(true);
    try {
      const saved = zone ? await api.updateZone(zone.id, { ...body, version: zone.version }) : await api.createZone(body);
      onSaved(saved ?? ({ ...body, id: zone?.id ?? 0, version: 0, active } as Zone), !zone);
    } catch (err) {
      if (err instanceof ApiError && err.isStaleVersion) setConflict(true);
      else {
        if (err instanceof ApiError) setErrors(err.fieldErrors);
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={!!state}
      title={zone ? `Edit ${zone.name}` : 'New zone'}
      description="Zones nest: building › floor › room or area › locker. Rules of a zone also apply to everything inside it."
      onClose={onClose}
      data-testid="zone-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="zone-form" busy={busy} disabled={conflict} data-testid="zone-submit">
            {zone ? 'Save zone' : 'Create zone'}
          </Button>
        </>
      }
    >
      {conflict && (
        <Alert tone="warning" title="This zone was changed by someone else" data-testid="zone-conflict">
          Your changes were not saved. Close this dialog; the list reloads with the latest version.
        </Alert>
      )}
      <ErrorBanner error={error} title="The zone could not be saved" shownFields={ZONE_FIELDS} />
      <form id="zone-form" className="form" onSubmit={submit} noValidate>
        <TextField label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} placeholder="e.g. Main gym, Sauna, Locker room A" required />
        <div className="form-row">
          <SelectField label="Type" name="typeCd" value={typeCd} onChange={(e) => setTypeCd(e.target.value as ZoneType)} error={errors.typeCd}>
            {ZONE_TYPES.map((t) => (
              <option key={t} value={t}>
                {ZONE_TYPE_LABEL[t]}
              </option>
            ))}
          </SelectField>
          <SelectField label="Inside" name="parentZoneId" value={parentId} onChange={(e) => setParentId(e.target.value)} error={errors.parentZoneId}>
            <option value="">— Top level —</option>
            {flat.map((f) => (
              <option key={f.zone.id} value={f.zone.id} disabled={excluded.has(f.zone.id)}>
                {'\u2003'.repeat(f.depth)}
                {f.zone.name} ({ZONE_TYPE_LABEL[f.zone.typeCd]})
              </option>
            ))}
          </SelectField>
        </div>
        <div className="form-row">
          <TextField
            label="Maximum occupancy"
            name="maxOccupancy"
            type="number"
            inputMode="numeric"
            min={1}
            optional
            value={maxOccupancy}
            onChange={(e) => setMaxOccupancy(e.target.value)}
            error={errors.maxOccupancy}
            hint="Empty means no limit. Check-ins are denied when it is full."
          />
          <SelectField
            label="Minimum contract tier"
            name="requiresContractTier"
            value={tier}
            onChange={(e) => setTier(e.target.value)}
            error={errors.requiresContractTier}
            hint="Members need a plan of this tier or a higher one."
          >
            <option value="">Any active contract</option>
            {tiers.map((t) => (
              <option key={t.code} value={t.code}>
                {t.code}
                {t.names.length ? ` (${t.names.join(', ')})` : ''}
              </option>
            ))}
          </SelectField>
        </div>
        <TextField
          label="Daily reset"
          name="resetTime"
          inputMode="numeric"
          placeholder="HH:MM"
          maxLength={5}
          className="input mono input-short"
          value={resetTime}
          onChange={(e) => setResetTime(e.target.value)}
          error={errors.resetTime}
          hint="Forgotten check-outs are closed at this local time each day, so members are not stuck “inside” (anti-passback)."
        />
        {zone && (
          <div className="checkbox-field">
            <input id="zone-active" type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
            <div>
              <label htmlFor="zone-active">Active</label>
              <p className="field-hint">An inactive zone denies every check-in (ZONE_INACTIVE).</p>
            </div>
          </div>
        )}
        {parentId && (
          <p className="field-hint">
            Inside {zoneLabel(flat.find((f) => String(f.zone.id) === parentId) ?? { zone: {} as Zone, depth: 0, path: ['?'], ancestors: [] })}
          </p>
        )}
      </form>
    </Dialog>
  );
}

function DeactivateZoneDialog({ zone, onClose, onDone }: { zone: Zone | null; onClose: () => void; onDone: (z: Zone) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setError(null), [zone]);
  const go = async () => {
    if (!zone) return;
    setBusy(true);
    try {
      await api.deactivateZone(zone.id);
      onDone(zone);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={!!zone}
      title={zone ? `Deactivate ${zone.name}?` : 'Deactivate'}
      description="Nobody can check in to an inactive zone. Its rules, history and occupancy are kept, and you can activate it again by editing it."
      onClose={onClose}
      data-testid="deactivate-zone-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" onClick={go} busy={busy} data-testid="deactivate-zone-confirm">
            Deactivate zone
          </Button>
        </>
      }
    >
      <ErrorBanner error={error} title="The zone could not be deactivated" />
      {zone?.children?.length ? (
        <Alert tone="warning">
          {zone.name} contains {zone.children.length} {zone.children.length === 1 ? 'zone' : 'zones'}. They stay as they are.
        </Alert>
      ) : null}
    </Dialog>
  );
}

const DOOR_PROVIDERS = ['SIMULATED', 'OSDP', 'GENERIC_HTTP'] as const;
const OSDP_EXAMPLE = '{\n  "connection": "tcp://10.0.0.5:4001",\n  "baud": 9600,\n  "secure": true,\n  "direction": "IN",\n  "output": 0\n}';

/** Parses the settings field: empty is {}, anything else must be a JSON object. */
function parseDoorSettings(text: string): { value?: Record<string, unknown>; error?: string } {
  const t = text.trim();
  if (!t) return { value: {} };
  try {
    const v: unknown = JSON.parse(t);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { error: 'Settings must be a JSON object, e.g. { "connection": "tcp://host:4001" }' };
    return { value: v as Record<string, unknown> };
  } catch {
    return { error: 'Settings are not valid JSON' };
  }
}

/** The zone's door: adapter binding, OSDP reader status and a test unlock. */
function DoorDialog({ zone, onClose, onSaved }: { zone: Zone | null; onClose: () => void; onSaved: (z: Zone) => void }) {
  const [provider, setProvider] = useState('SIMULATED');
  const [externalDoorId, setExternalDoorId] = useState('');
  const [settings, setSettings] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [readers, setReaders] = useState<ReaderStatus[] | null>(null);
  const [readerError, setReaderError] = useState<unknown>(null);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<UnlockResult | null>(null);
  const [testError, setTestError] = useState<unknown>(null);
  const [doorEvents, setDoorEvents] = useState<DoorEvent[] | null>(null);

  const loadDoorEvents = (id: number, signal?: AbortSignal) => {
    api
      .doorEvents(id, 10, signal)
      .then((ev) => setDoorEvents(ev ?? []))
      .catch(() => {
        // Not every door system reports events (the API answers unsupported);
        // the section then stays hidden.
        if (!signal?.aborted) setDoorEvents([]);
      });
  };

  const loadReaders = (id: number, signal?: AbortSignal) => {
    api
      .listReaders(id, signal)
      .then((r) => {
        setReaders(r ?? []);
        setReaderError(null);
      })
      .catch((e) => {
        if (!signal?.aborted) setReaderError(e);
      });
  };

  useEffect(() => {
    if (!zone) return;
    const d = zone.door;
    setProvider(d?.provider ?? 'SIMULATED');
    setExternalDoorId(d?.externalDoorId && !/^zone-\d+$/.test(d.externalDoorId) ? d.externalDoorId : '');
    const st = d?.settings;
    setSettings(st && typeof st === 'object' && Object.keys(st).length ? JSON.stringify(st, null, 2) : '');
    setErrors({});
    setError(null);
    setSaved(false);
    setReaders(null);
    setReaderError(null);
    setTest(null);
    setTestError(null);
    setDoorEvents(null);
    const ctrl = new AbortController();
    loadReaders(zone.id, ctrl.signal);
    loadDoorEvents(zone.id, ctrl.signal);
    return () => ctrl.abort();
  }, [zone]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!zone) return;
    const local: Record<string, string> = {};
    const parsed = parseDoorSettings(settings);
    if (parsed.error) local.settings = parsed.error;
    if (provider === 'OSDP' && !/^.+:\d{1,3}$/.test(externalDoorId.trim())) local.externalDoorId = 'For OSDP use line:address, e.g. front:1';
    if (provider === 'OSDP' && !parsed.error && !parsed.value?.connection) local.settings = 'OSDP needs settings.connection (tcp://host:port or a serial device)';
    setErrors(local);
    setError(null);
    setSaved(false);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const z = await api.bindDoor(zone.id, {
        provider,
        ...(externalDoorId.trim() ? { externalDoorId: externalDoorId.trim() } : {}),
        settings: parsed.value ?? {},
      });
      setSaved(true);
      onSaved(z ?? zone);
      // The reader manager picks the binding up at once; give it a moment to connect.
      setTimeout(() => loadReaders(zone.id), 1500);
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const testDoor = async () => {
    if (!zone) return;
    setTesting(true);
    setTest(null);
    setTestError(null);
    try {
      setTest(await api.unlockZone(zone.id, 3));
    } catch (err) {
      setTestError(err);
    } finally {
      setTesting(false);
      loadDoorEvents(zone.id);
    }
  };

  return (
    <Dialog
      open={!!zone}
      title={zone ? `Door of ${zone.name}` : 'Door'}
      description="Which door system opens this zone. Granted check-ins and remote unlocks go through it."
      onClose={onClose}
      data-testid="door-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Close
          </Button>
          <Button variant="secondary" onClick={testDoor} busy={testing} disabled={!zone?.active} data-testid="door-test">
            Test door (3 s)
          </Button>
          <Button variant="primary" type="submit" form="door-form" busy={busy} data-testid="door-submit">
            Save door
          </Button>
        </>
      }
    >
      <ErrorBanner error={error} title="The door could not be saved" shownFields={['provider', 'externalDoorId', 'settings']} />
      {saved && <Alert tone="success">Door saved.</Alert>}
      {test && (
        <Alert tone={test.success ? 'success' : 'warning'} title={test.success ? 'The door confirmed the unlock' : 'The door did not confirm'} data-testid="door-test-result">
          {test.adapter}: {test.message}
        </Alert>
      )}
      <ErrorBanner error={testError} title="The test unlock failed" />
      <form id="door-form" className="form" onSubmit={submit} noValidate>
        <div className="form-row">
          <SelectField label="Door system" name="provider" value={provider} onChange={(e) => setProvider(e.target.value)} error={errors.provider}>
            {DOOR_PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
            {!DOOR_PROVIDERS.includes(provider as (typeof DOOR_PROVIDERS)[number]) && <option value={provider}>{provider}</option>}
          </SelectField>
          <TextField
            label="Door id"
            name="externalDoorId"
            optional={provider !== 'OSDP'}
            value={externalDoorId}
            onChange={(e) => setExternalDoorId(e.target.value)}
            error={errors.externalDoorId}
            placeholder={provider === 'OSDP' ? 'front:1' : `zone-${zone?.id ?? ''}`}
            hint={provider === 'OSDP' ? 'line:address — readers sharing a line share one connection.' : 'The door system’s id; default zone-<id>.'}
          />
        </div>
        <Field label="Settings (JSON)" error={errors.settings} optional hint={provider === 'OSDP' ? 'connection, baud, secure, direction (IN/OUT), output (relay).' : 'Adapter-specific settings.'}>
          {({ id, describedBy, invalid }) => (
            <textarea
              id={id}
              className="input textarea mono"
              rows={6}
              value={settings}
              placeholder={provider === 'OSDP' ? OSDP_EXAMPLE : '{}'}
              onChange={(e) => setSettings(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              data-testid="door-settings"
            />
          )}
        </Field>
      </form>
      {(provider === 'OSDP' || (readers && readers.length > 0)) && (
        <section className="reader-status" data-testid="reader-status" aria-label="Reader status">
          <div className="zone-summary">
            <strong>Reader</strong>
            <button type="button" className="link-btn" onClick={() => zone && loadReaders(zone.id)}>
              Refresh
            </button>
          </div>
          <ErrorBanner error={readerError} title="Could not load the reader status" />
          {readers === null && !readerError ? (
            <Spinner label="Loading reader…" />
          ) : readers && readers.length === 0 ? (
            <p className="field-hint">No reader yet: save an OSDP binding and the reader appears once it is configured.</p>
          ) : (
            readers?.map((r) => (
              <div key={r.id} className="cell-sub" data-testid="reader-row">
                <div>
                  <span className="mono">{r.externalDoorId}</span>{' '}
                  <Badge tone={r.online ? 'success' : 'danger'}>{r.online ? 'Online' : 'Offline'}</Badge>{' '}
                  <Badge tone={r.secureChannel ? 'success' : 'neutral'}>{r.secureChannel ? 'Secure channel' : 'No secure channel'}</Badge>{' '}
                  {r.tamper && <Badge tone="danger">Tamper</Badge>}
                </div>
                <div>
                  Last card: {r.lastCardAt ? formatInstant(r.lastCardAt) : '—'} · Last seen: {r.lastSeenAt ? formatInstant(r.lastSeenAt) : '—'}
                  {r.keyStored ? ' · key stored' : ''}
                </div>
                {r.lastError && !r.online && <div className="field-error">{r.lastError}</div>}
              </div>
            ))
          )}
        </section>
      )}
      {doorEvents && doorEvents.length > 0 && (
        <section className="reader-status" data-testid="door-events" aria-label="Recent door activity">
          <div className="zone-summary">
            <strong>Recent door activity</strong>
            <button type="button" className="link-btn" onClick={() => zone && loadDoorEvents(zone.id)}>
              Refresh
            </button>
          </div>
          {doorEvents.map((ev, i) => (
            <div key={`${ev.at}-${i}`} className="cell-sub" data-testid="door-event">
              <span className="mono">{formatInstant(ev.at)}</span> <Badge tone="neutral">{ev.kind}</Badge> {ev.detail}
            </div>
          ))}
        </section>
      )}
    </Dialog>
  );
}
