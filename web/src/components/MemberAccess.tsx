// Member detail: credentials (cards, tokens, QR codes) and check-in history.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '../api/endpoints';
import { ApiError } from '../api/problem';
import {
  CREDENTIAL_TYPES,
  type CheckIn,
  type Credential,
  type CredentialStatus,
  type CredentialType,
  type Page,
  type Zone,
} from '../api/types';
import { METHOD_LABEL } from '../checkins';
import { formatInstant, todayIn } from '../format';
import { denialLabel } from '../kiosk/mapping';
import { flattenZones } from '../zones';
import { ErrorBanner } from './ErrorBanner';
import { IconEye, IconEyeOff, IconHistory, IconKey, IconPlus, IconRefresh } from './Icons';
import { Alert, Badge, Button, Card, Dialog, EmptyState, Pagination, SelectField, Spinner, TextField } from './ui';

export const CREDENTIAL_TYPE_LABEL: Record<CredentialType, string> = {
  NFC_CARD: 'NFC card',
  BLE_TOKEN: 'Bluetooth token',
  QR_CODE: 'QR code',
  RFID: 'RFID card',
  WIEGAND: 'Wiegand card',
  PIN: 'PIN',
};

const STATUS: Record<CredentialStatus, { label: string; tone: 'success' | 'warning' | 'neutral' | 'info' | 'danger' }> = {
  PROVISIONED: { label: 'Provisioned', tone: 'info' },
  ACTIVE: { label: 'Active', tone: 'success' },
  SUSPENDED: { label: 'Suspended', tone: 'warning' },
  REVOKED: { label: 'Revoked', tone: 'neutral' },
};

type Action = 'activate' | 'suspend' | 'revoke';
const ACTIONS: Record<Action, { label: string; verb: string; text: string; variant: 'primary' | 'danger' | 'secondary' }> = {
  activate: { label: 'Activate', verb: 'activated', text: 'The member can use it to check in from now on.', variant: 'primary' },
  suspend: { label: 'Suspend', verb: 'suspended', text: 'Check-ins with it are denied until it is activated again.', variant: 'secondary' },
  revoke: {
    label: 'Revoke',
    verb: 'revoked',
    text: 'Revoking is permanent: a revoked credential can never be used again, and its identifier can be issued anew.',
    variant: 'danger',
  },
};

/** Which lifecycle actions a status allows: PROVISIONED → ACTIVE ⇄ SUSPENDED → REVOKED. */
export function allowedActions(s: CredentialStatus): Action[] {
  switch (s) {
    case 'PROVISIONED':
      return ['activate', 'revoke'];
    case 'ACTIVE':
      return ['suspend', 'revoke'];
    case 'SUSPENDED':
      return ['activate', 'revoke'];
    default:
      return [];
  }
}

/** "•••• 1234": all but the last 4 characters hidden. */
export function maskIdentifier(id: string): string {
  if (id.length <= 4) return '•'.repeat(Math.max(0, id.length - 1)) + id.slice(-1);
  return `•••• ${id.slice(-4)}`;
}

function isExpired(c: Credential): boolean {
  return !!c.expiresAt && new Date(c.expiresAt).getTime() < Date.now();
}

export function CredentialsCard({ memberId, canEdit, tz }: { memberId: number; canEdit: boolean; tz?: string }) {
  const [items, setItems] = useState<Credential[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revealed, setRevealed] = useState<Set<number>>(new Set());
  const [issuing, setIssuing] = useState(false);
  const [pending, setPending] = useState<{ c: Credential; action: Action } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setItems(await api.listCredentials(memberId));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [memberId]);
  useEffect(() => {
    void load();
  }, [load]);

  const toggle = (id: number) =>
    setRevealed((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const sorted = useMemo(
    () => [...(items ?? [])].sort((a, b) => Number(a.statusCd === 'REVOKED') - Number(b.statusCd === 'REVOKED') || b.id - a.id),
    [items],
  );

  return (
    <Card
      title="Credentials"
      data-testid="credentials-card"
      actions={
        canEdit && (
          <Button variant="primary" icon={IconPlus} onClick={() => setIssuing(true)} data-testid="issue-credential">
            Issue credential
          </Button>
        )
      }
    >
      {notice && (
        <Alert tone="success" data-testid="credential-notice">
          {notice}{' '}
          <button type="button" className="link-btn" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </Alert>
      )}
      <ErrorBanner error={error} title="Could not load credentials" />
      {items === null && !error ? (
        <Spinner label="Loading credentials…" />
      ) : items && items.length === 0 ? (
        <EmptyState icon={IconKey} title="No credentials" data-testid="credentials-empty">
          Issue a card, a phone token or a QR code so this member can check in without the front desk.
        </EmptyState>
      ) : (
        items && (
          <div className="table-wrap">
            <table className="table table-compact" data-testid="credentials-table">
              <thead>
                <tr>
                  <th scope="col">Credential</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="hide-sm">
                    Expires
                  </th>
                  <th scope="col" className="hide-sm">
                    Last used
                  </th>
                  {canEdit && (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {sorted.map((c) => {
                  const shown = revealed.has(c.id);
                  const st = STATUS[c.statusCd] ?? { label: c.statusCd, tone: 'neutral' as const };
                  return (
                    <tr key={c.id} data-testid="credential-row" data-status={c.statusCd}>
                      <td>
                        <div className="cell-title">{CREDENTIAL_TYPE_LABEL[c.typeCd] ?? c.typeCd}</div>
                        <div className="ident">
                          <span className="mono" data-testid="credential-identifier">
                            {shown ? c.identifier : maskIdentifier(c.identifier)}
                          </span>
                          <button
                            type="button"
                            className="icon-btn icon-btn-sm"
                            onClick={() => toggle(c.id)}
                            aria-label={shown ? 'Hide identifier' : 'Show identifier'}
                            aria-pressed={shown}
                            data-testid="reveal-identifier"
                          >
                            {shown ? <IconEyeOff size={15} /> : <IconEye size={15} />}
                          </button>
                        </div>
                      </td>
                      <td>
                        <div className="badges">
                          <Badge tone={st.tone} data-testid="credential-status">
                            {st.label}
                          </Badge>
                          {isExpired(c) && c.statusCd !== 'REVOKED' && <Badge tone="danger">Expired</Badge>}
                        </div>
                      </td>
                      <td className="nowrap hide-sm">{c.expiresAt ? formatInstant(c.expiresAt, tz) : <span className="muted">Never</span>}</td>
                      <td className="nowrap hide-sm">{c.lastUsedAt ? formatInstant(c.lastUsedAt, tz) : <span className="muted">Not yet</span>}</td>
                      {canEdit && (
                        <td className="cell-actions nowrap">
                          {allowedActions(c.statusCd).map((a) => (
                            <Button
                              key={a}
                              variant="ghost"
                              className={a === 'revoke' ? 'btn-ghost-danger' : undefined}
                              onClick={() => setPending({ c, action: a })}
                              aria-label={`${ACTIONS[a].label} ${CREDENTIAL_TYPE_LABEL[c.typeCd] ?? c.typeCd} ending ${c.identifier.slice(-4)}`}
                              data-testid={`credential-${a}`}
                            >
                              {ACTIONS[a].label}
                            </Button>
                          ))}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )
      )}
      <IssueCredentialDialog
        open={issuing}
        memberId={memberId}
        onClose={() => setIssuing(false)}
        onIssued={(c) => {
          setIssuing(false);
          setNotice(`${CREDENTIAL_TYPE_LABEL[c.typeCd] ?? c.typeCd} ending ${c.identifier.slice(-4)} issued.`);
          void load();
        }}
      />
      <CredentialActionDialog
        pending={pending}
        onClose={() => setPending(null)}
        onReload={() => {
          setPending(null);
          void load();
        }}
        onDone={(c, a) => {
          setPending(null);
          setNotice(`${CREDENTIAL_TYPE_LABEL[c.typeCd] ?? c.typeCd} ending ${c.identifier.slice(-4)} ${ACTIONS[a].verb}.`);
          void load();
        }}
      />
    </Card>
  );
}

const CREDENTIAL_FIELDS = ['typeCd', 'identifier', 'expiresAt', 'statusCd'];

function IssueCredentialDialog({
  open,
  memberId,
  onClose,
  onIssued,
}: {
  open: boolean;
  memberId: number;
  onClose: () => void;
  onIssued: (c: Credential) => void;
}) {
  const [typeCd, setTypeCd] = useState<CredentialType>('NFC_CARD');
  const [identifier, setIdentifier] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const [statusCd, setStatusCd] = useState<'ACTIVE' | 'PROVISIONED'>('ACTIVE');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setTypeCd('NFC_CARD');
    setIdentifier('');
    setExpiresAt('');
    setStatusCd('ACTIVE');
    setErrors({});
    setError(null);
  }, [open]);

  const generated = typeCd === 'QR_CODE';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    const id = identifier.trim();
    if (!id && !generated) local.identifier = 'Identifier is required (the card number, token or PIN)';
    if (id.length > 255) local.identifier = 'Identifier must be at most 255 characters';
    if (typeCd === 'PIN' && id && !/^\d{4,12}$/.test(id)) local.identifier = 'A PIN is 4 to 12 digits';
    let expires: string | undefined;
    if (expiresAt) {
      const d = new Date(expiresAt);
      if (Number.isNaN(d.getTime())) local.expiresAt = 'Enter a valid date and time';
      else if (d.getTime() <= Date.now()) local.expiresAt = 'The expiry must be in the future';
      else expires = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const c = await api.createCredential({ memberId, typeCd, ...(id ? { identifier: id } : {}), ...(expires ? { expiresAt: expires } : {}), statusCd });
      onIssued(c);
    } catch (err) {
      if (err instanceof ApiError) {
        const fe = err.fieldErrors;
        // A duplicate identifier is a 409 that names its field; say so plainly.
        if (err.status === 409 && !Object.keys(fe).length) fe.identifier = err.message;
        setErrors(fe);
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      title="Issue credential"
      description="A card, phone token, QR code or PIN the member uses to check in. A member may hold several."
      onClose={onClose}
      data-testid="issue-credential-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="credential-form" busy={busy} data-testid="issue-credential-submit">
            Issue credential
          </Button>
        </>
      }
    >
      <ErrorBanner error={error} title="The credential could not be issued" shownFields={CREDENTIAL_FIELDS} />
      <form id="credential-form" className="form" onSubmit={submit} noValidate>
        <SelectField label="Type" name="typeCd" value={typeCd} onChange={(e) => setTypeCd(e.target.value as CredentialType)} error={errors.typeCd}>
          {CREDENTIAL_TYPES.map((t) => (
            <option key={t} value={t}>
              {CREDENTIAL_TYPE_LABEL[t]}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Identifier"
          name="identifier"
          optional={generated}
          value={identifier}
          onChange={(e) => setIdentifier(e.target.value)}
          error={errors.identifier}
          autoComplete="off"
          spellCheck={false}
          className="input mono"
          placeholder={generated ? 'Generated by Gatehouse' : typeCd === 'PIN' ? '4–12 digits' : 'e.g. 04A1B2C3D4'}
          hint={
            generated
              ? 'Leave empty and Gatehouse generates a random code.'
              : 'The number printed on or read from the card, the token, or the PIN. It must be unique in your organisation.'
          }
          data-testid="credential-identifier-input"
        />
        <div className="form-row">
          <TextField
            label="Expires"
            name="expiresAt"
            type="datetime-local"
            optional
            value={expiresAt}
            onChange={(e) => setExpiresAt(e.target.value)}
            error={errors.expiresAt}
            hint="Empty: valid until revoked."
          />
          <SelectField
            label="Initial status"
            name="statusCd"
            value={statusCd}
            onChange={(e) => setStatusCd(e.target.value as 'ACTIVE' | 'PROVISIONED')}
            error={errors.statusCd}
            hint={statusCd === 'PROVISIONED' ? 'Handed out but not usable until activated.' : 'Usable at once.'}
          >
            <option value="ACTIVE">Active</option>
            <option value="PROVISIONED">Provisioned</option>
          </SelectField>
        </div>
      </form>
    </Dialog>
  );
}

function CredentialActionDialog({
  pending,
  onClose,
  onDone,
  onReload,
}: {
  pending: { c: Credential; action: Action } | null;
  onClose: () => void;
  onDone: (c: Credential, a: Action) => void;
  onReload: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setError(null), [pending]);
  const a = pending ? ACTIONS[pending.action] : null;
  const conflict = error instanceof ApiError && error.status === 409;
  const name = pending ? `${CREDENTIAL_TYPE_LABEL[pending.c.typeCd] ?? pending.c.typeCd} ending ${pending.c.identifier.slice(-4)}` : '';
  return (
    <Dialog
      open={!!pending}
      title={a ? `${a.label} ${name}?` : ''}
      description={a?.text}
      onClose={onClose}
      data-testid="credential-action-dialog"
      footer={
        conflict ? (
          <Button variant="primary" icon={IconRefresh} onClick={onReload} data-testid="credential-reload">
            Reload credentials
          </Button>
        ) : (
          <>
            <Button variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button
              variant={a?.variant ?? 'primary'}
              busy={busy}
              data-testid="credential-action-confirm"
              onClick={async () => {
                if (!pending) return;
                setBusy(true);
                try {
                  await api.credentialAction(pending.c.id, pending.action);
                  onDone(pending.c, pending.action);
                } catch (e) {
                  setError(e);
                } finally {
                  setBusy(false);
                }
              }}
            >
              {a?.label}
            </Button>
          </>
        )
      }
    >
      {conflict ? (
        <Alert tone="warning" title="This change is not allowed" data-testid="credential-conflict">
          {(error as ApiError).message}. The credential may have been changed by someone else, or its status does not allow this step
          (Provisioned → Active ⇄ Suspended → Revoked). Reload to see its current status.
        </Alert>
      ) : (
        <ErrorBanner error={error} title="The change could not be made" />
      )}
    </Dialog>
  );
}

const HISTORY_SIZE = 20;

function daysAgo(n: number, tz?: string): string {
  return todayIn(tz, new Date(Date.now() - n * 86_400_000));
}

export function CheckinHistoryCard({ memberId, tz }: { memberId: number; tz?: string }) {
  const [from, setFrom] = useState(() => daysAgo(30, tz));
  const [to, setTo] = useState(() => todayIn(tz));
  const [page, setPage] = useState(0);
  const [data, setData] = useState<Page<CheckIn> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [zones, setZones] = useState<Zone[]>([]);
  const rangeError = from && to && to < from ? 'The end date must not be before the start date' : null;

  useEffect(() => {
    api
      .zoneTree()
      .then(setZones)
      .catch(() => setZones([]));
  }, []);
  const flat = useMemo(() => flattenZones(zones), [zones]);
  const zoneName = (id: number | null | undefined) => (id == null ? 'Main entrance' : flat.find((f) => f.zone.id === id)?.zone.name ?? `Zone #${id}`);

  useEffect(() => {
    if (rangeError) return;
    const ctrl = new AbortController();
    setLoading(true);
    api
      .checkinHistory(memberId, { from: from || undefined, to: to || undefined, page, size: HISTORY_SIZE }, ctrl.signal)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e) => {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        setError(e);
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
  }, [memberId, from, to, page, rangeError]);

  const items = data?.items ?? [];

  return (
    <Card title="Check-in history" data-testid="history-card">
      <div className="history-filters">
        <TextField label="From" type="date" value={from} max={to || undefined} onChange={(e) => (setFrom(e.target.value), setPage(0))} data-testid="history-from" />
        <TextField label="To" type="date" value={to} min={from || undefined} onChange={(e) => (setTo(e.target.value), setPage(0))} error={rangeError ?? undefined} data-testid="history-to" />
        <div className="history-presets">
          {[
            ['7 days', 7],
            ['30 days', 30],
            ['90 days', 90],
          ].map(([label, n]) => (
            <button
              key={label}
              type="button"
              className="link-btn"
              onClick={() => {
                setFrom(daysAgo(n as number, tz));
                setTo(todayIn(tz));
                setPage(0);
              }}
            >
              Last {label}
            </button>
          ))}
        </div>
      </div>
      <ErrorBanner error={error} title="Could not load the check-in history" />
      {loading && !data ? (
        <Spinner label="Loading check-ins…" />
      ) : items.length === 0 && !error ? (
        <EmptyState icon={IconHistory} title="No check-ins in this period" data-testid="history-empty">
          Check-ins appear here with the zone, the method and the decision.
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table table-compact" data-testid="history-table" aria-busy={loading || undefined}>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Zone</th>
                  <th scope="col" className="hide-sm">
                    Method
                  </th>
                  <th scope="col">Decision</th>
                  <th scope="col" className="hide-sm">
                    Checked out
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id} data-testid="history-row">
                    <td className="nowrap">{formatInstant(c.checkedInAt, tz)}</td>
                    <td>{c.zoneName ?? zoneName(c.zoneId)}</td>
                    <td className="hide-sm">{METHOD_LABEL[c.methodCd] ?? c.methodCd}</td>
                    <td>
                      <Badge tone={c.statusCd === 'GRANTED' ? 'success' : 'danger'}>{c.statusCd === 'GRANTED' ? 'Granted' : 'Denied'}</Badge>
                      {c.statusCd === 'DENIED' && <div className="cell-sub">{c.denialReason || denialLabel(c.denialCode)}</div>}
                    </td>
                    <td className="nowrap hide-sm">{c.checkedOutAt ? formatInstant(c.checkedOutAt, tz) : <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {data && (
            <div className="card-pagination">
              <Pagination page={data.page} size={data.size} totalItems={data.totalItems} totalPages={data.totalPages} onPage={setPage} />
            </div>
          )}
        </>
      )}
    </Card>
  );
}
