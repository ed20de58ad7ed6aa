// Door integrations (docs/integrations.md): connect one vendor door cloud
// (Kisi, Brivo, exivo, Openpath), see its status and queue, retry jobs, read the
// grant/revoke log and the vendor credentials of each member.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { ApiError } from '../../api/problem';
import {
  INTEGRATION_PROVIDERS,
  type AccessJob,
  type AccessJobStatus,
  type AccessLogAction,
  type AccessLogEntry,
  type AccessLogOutcome,
  type IntegrationProvider,
  type IntegrationStatus,
  type IntegrationTestResult,
  type Member,
  type Page,
  type VendorCredential,
} from '../../api/types';
import { useAuth } from '../../auth';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconIntegrations } from '../../components/Icons';
import { Alert, Badge, Button, Card, EmptyState, PageHeader, Pagination, SelectField, Spinner, TextField } from '../../components/ui';
import { formatInstant, fullName } from '../../format';
import { useDebounced, useTitle } from '../../hooks';
import { useMembers } from '../../memberCache';
import { Link, useLocation } from '../../router';

const PROVIDER_LABEL: Record<IntegrationProvider, string> = {
  KISI: 'Kisi',
  BRIVO: 'Brivo',
  EXIVO: 'dormakaba exivo',
  OPENPATH: 'Openpath / Avigilon Alta',
};

interface SettingField {
  key: string;
  label: string;
  hint?: string;
  secret?: boolean;
  optional?: boolean;
}

/** Per-provider settings (docs/integrations.md; each vendor's factory validates them). */
const PROVIDER_FIELDS: Record<IntegrationProvider, SettingField[]> = {
  KISI: [
    { key: 'groupId', label: 'Group ID', hint: 'The Kisi group whose doors members may open.' },
    { key: 'placeId', label: 'Place ID', hint: 'For the occupancy count.', optional: true },
  ],
  BRIVO: [
    { key: 'clientId', label: 'Client ID', hint: 'The OAuth client of your Brivo developer account.' },
    { key: 'clientSecret', label: 'Client secret', hint: 'Stored sealed and never shown again: enter it each time you save.', secret: true },
    { key: 'groupId', label: 'Group ID', hint: 'The Brivo group whose schedule opens the doors.' },
    { key: 'authUrl', label: 'Auth URL', hint: 'Default https://auth.brivo.com/oauth/token (EU: auth.eu.brivo.com).', optional: true },
  ],
  EXIVO: [
    { key: 'siteId', label: 'Site ID' },
    { key: 'apiKeyId', label: 'API key ID', hint: 'The exivo API_KEY (the API key field below holds its secret).' },
    { key: 'accessGroupId', label: 'Access group ID' },
  ],
  OPENPATH: [
    { key: 'orgId', label: 'Organisation ID', hint: 'The Alta org id (the API key field below holds the service account password).' },
    { key: 'email', label: 'Service account email', hint: 'An Alta-native user without MFA.' },
    { key: 'groupId', label: 'Group ID', hint: 'The Alta group whose schedules open the doors.' },
    { key: 'unlockEntryStateId', label: 'Unlock entry state ID', hint: 'Default: the first unlocked state of the org.', optional: true },
    { key: 'credentialTypeId', label: 'Credential type ID', hint: 'Default: the mobile credential type.', optional: true },
  ],
};

const ACTIONS: AccessLogAction[] = ['GRANT', 'REVOKE', 'RECONCILE'];
const OUTCOMES: AccessLogOutcome[] = ['SUCCESS', 'RETRY', 'REJECTED', 'SKIPPED', 'MISSING'];
const OUTCOME_TONE: Record<AccessLogOutcome, 'success' | 'warning' | 'danger' | 'neutral' | 'info'> = {
  SUCCESS: 'success',
  RETRY: 'warning',
  REJECTED: 'danger',
  SKIPPED: 'neutral',
  MISSING: 'info',
};
const JOB_STATUS_LABEL: Record<AccessJobStatus, string> = { PENDING: 'Pending', DONE: 'Done', FAILED_PERMANENT: 'Failed' };
const PAGE_SIZE = 20;
/** Vendor errors are long URLs: let them wrap inside the table. */
const WRAP = { minWidth: 200, maxWidth: 320, overflowWrap: 'anywhere' } as const;
const POLL_MS = 5000;

function isProvider(p: string | null | undefined): p is IntegrationProvider {
  return !!p && (INTEGRATION_PROVIDERS as string[]).includes(p);
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

export function IntegrationsPage() {
  useTitle('Integrations');
  const { search } = useLocation();
  const [status, setStatus] = useState<IntegrationStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    const ac = new AbortController();
    api
      .integrationStatus(ac.signal)
      .then((s) => {
        setStatus(s);
        setError(null);
      })
      .catch((e) => {
        if (!ac.signal.aborted) setError(e);
      });
    return () => ac.abort();
  }, [tick]);

  // The queue drains in the background: keep status, jobs and log current.
  useEffect(() => {
    const t = window.setInterval(refresh, POLL_MS);
    return () => window.clearInterval(t);
  }, [refresh]);

  const initialMember = Number(new URLSearchParams(search).get('memberId')) || undefined;

  return (
    <>
      <PageHeader
        title="Integrations"
        description="Connect a door vendor cloud. Members get door access for the time of their bookings; it is revoked when a booking is cancelled or ends."
        actions={
          <Button variant="secondary" onClick={refresh} data-testid="integration-refresh">
            Refresh
          </Button>
        }
      />
      <ErrorBanner error={error} title="Could not load the integration" />
      {status === null && !error ? (
        <Spinner label="Loading the integration…" />
      ) : (
        status && (
          <div className="stack">
            <div className="detail-grid">
              <ConfigureCard status={status} onSaved={(s) => (setStatus(s), refresh())} />
              <StatusCard status={status} onChanged={(s) => (s && setStatus(s), refresh())} />
            </div>
            {status.configured && (
              <>
                <JobsCard tick={tick} onChanged={refresh} />
                <LogCard tick={tick} initialMember={initialMember} />
                <CredentialsCard tick={tick} initialMember={initialMember} />
              </>
            )}
          </div>
        )
      )}
    </>
  );
}

function ConfigureCard({ status, onSaved }: { status: IntegrationStatus; onSaved: (s: IntegrationStatus) => void }) {
  const initial = status.settings ?? {};
  const [provider, setProvider] = useState<IntegrationProvider>(isProvider(status.provider) ? status.provider : 'KISI');
  const [apiKey, setApiKey] = useState('');
  const [values, setValues] = useState<Record<string, string>>(() => {
    const v: Record<string, string> = {};
    for (const [k, val] of Object.entries(initial)) v[k] = str(val);
    return v;
  });
  const [enabled, setEnabled] = useState(status.configured ? status.isEnabled : true);
  // Follow "Disable"/"Enable" in the status card.
  useEffect(() => {
    if (status.configured) setEnabled(status.isEnabled);
  }, [status.configured, status.isEnabled]);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const fields = PROVIDER_FIELDS[provider];
  const set = (k: string, v: string) => setValues((o) => ({ ...o, [k]: v }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    setSaved(false);
    const settings: Record<string, unknown> = {};
    for (const f of fields) {
      const v = (values[f.key] ?? '').trim();
      if (v) settings[f.key] = v;
    }
    if ((values.baseUrl ?? '').trim()) settings.baseUrl = values.baseUrl.trim();
    for (const k of ['leadMinutes', 'lagMinutes']) {
      const v = (values[k] ?? '').trim();
      if (v) settings[k] = Number(v);
    }
    try {
      const s = await api.configureIntegration({ provider, apiKey, isEnabled: enabled, settings });
      setApiKey('');
      set('clientSecret', '');
      setSaved(true);
      onSaved(s);
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const shown = ['provider', 'apiKey', 'settings.baseUrl', 'settings.leadMinutes', 'settings.lagMinutes', ...fields.map((f) => `settings.${f.key}`)];
  return (
    <Card title={status.configured ? 'Connection settings' : 'Connect a door cloud'} data-testid="integration-configure">
      <form className="form" onSubmit={submit} noValidate>
        {saved && (
          <Alert tone="success" data-testid="integration-saved">
            Saved. The key is stored sealed and is never shown again.
          </Alert>
        )}
        <ErrorBanner error={error} title="Could not save the integration" shownFields={shown} />
        <SelectField
          label="Provider"
          value={provider}
          onChange={(e) => setProvider(e.target.value as IntegrationProvider)}
          error={errors.provider}
          data-testid="integration-provider"
        >
          {INTEGRATION_PROVIDERS.map((p) => (
            <option key={p} value={p}>
              {PROVIDER_LABEL[p]}
            </option>
          ))}
        </SelectField>
        <TextField
          label="API key"
          type="password"
          autoComplete="off"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          error={errors.apiKey}
          hint={
            status.configured
              ? `A key is configured (sealed with key ${status.keyId ?? '—'}). Enter it again, or a new one, to save changes.`
              : 'Stored sealed; it is never shown again.'
          }
          required
          data-testid="integration-api-key"
        />
        {fields.map((f) => (
          <TextField
            key={`${provider}-${f.key}`}
            label={f.label}
            type={f.secret ? 'password' : 'text'}
            autoComplete="off"
            optional={f.optional}
            value={values[f.key] ?? ''}
            onChange={(e) => set(f.key, e.target.value)}
            error={errors[`settings.${f.key}`]}
            hint={f.hint}
            data-testid={`integration-setting-${f.key}`}
          />
        ))}
        <TextField
          label="Base URL"
          optional
          value={values.baseUrl ?? ''}
          onChange={(e) => set('baseUrl', e.target.value)}
          error={errors['settings.baseUrl']}
          hint="Overrides the vendor's API address (a regional endpoint or a test server)."
          data-testid="integration-setting-baseUrl"
        />
        <div className="form-row">
          <TextField
            label="Lead minutes"
            type="number"
            min={0}
            max={1440}
            optional
            placeholder="15"
            value={values.leadMinutes ?? ''}
            onChange={(e) => set('leadMinutes', e.target.value)}
            error={errors['settings.leadMinutes']}
            hint="Access starts this long before a booking."
            data-testid="integration-setting-leadMinutes"
          />
          <TextField
            label="Lag minutes"
            type="number"
            min={0}
            max={1440}
            optional
            placeholder="15"
            value={values.lagMinutes ?? ''}
            onChange={(e) => set('lagMinutes', e.target.value)}
            error={errors['settings.lagMinutes']}
            hint="…and ends this long after it."
            data-testid="integration-setting-lagMinutes"
          />
        </div>
        <div className="checkbox-field">
          <input id="integration-enabled" type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} data-testid="integration-enabled" />
          <label htmlFor="integration-enabled">Enabled: grant and revoke door access with bookings</label>
        </div>
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy} data-testid="integration-save">
            {status.configured ? 'Save changes' : 'Connect'}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function StatusCard({ status, onChanged }: { status: IntegrationStatus; onChanged: (s?: IntegrationStatus) => void }) {
  const { user } = useAuth();
  const tz = user?.entity?.timezone;
  const [busy, setBusy] = useState<'' | 'test' | 'reconcile' | 'toggle'>('');
  const [test, setTest] = useState<IntegrationTestResult | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function run(kind: 'test' | 'reconcile' | 'toggle') {
    setBusy(kind);
    setError(null);
    setNotice(null);
    if (kind !== 'test') setTest(null);
    try {
      if (kind === 'test') {
        setTest(await api.testIntegration());
      } else if (kind === 'reconcile') {
        const r = await api.reconcileIntegration();
        setNotice(
          `Reconciled: ${r.grantsQueued} grant(s) and ${r.revokesQueued} revocation(s) queued; ${r.missingAtVendor} missing at the vendor, ${r.revokedAtVendor} revoked again.`,
        );
        onChanged();
      } else {
        const s = await api.setIntegrationEnabled(!status.isEnabled);
        setNotice(s.isEnabled ? 'The integration is enabled.' : 'The integration is disabled: no new grants; revocations wait until it is enabled again.');
        onChanged(s);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy('');
    }
  }

  if (!status.configured) {
    return (
      <Card title="Status" data-testid="integration-status">
        <EmptyState icon={IconIntegrations} title="Not connected" data-testid="integration-not-configured">
          Choose your door vendor and enter its API key. Bookings made for members then grant door access for their time automatically.
        </EmptyState>
      </Card>
    );
  }
  return (
    <Card title="Status" data-testid="integration-status">
      <dl className="details">
        <dt>Provider</dt>
        <dd data-testid="integration-status-provider">{isProvider(status.provider) ? PROVIDER_LABEL[status.provider] : status.provider}</dd>
        <dt>State</dt>
        <dd>
          {status.isEnabled ? (
            <Badge tone="success" data-testid="integration-state">
              Enabled
            </Badge>
          ) : (
            <Badge tone="neutral" data-testid="integration-state">
              Disabled
            </Badge>
          )}
        </dd>
        <dt>API key</dt>
        <dd data-testid="integration-key">Key configured (id {status.keyId ?? '—'})</dd>
        <dt>Configured</dt>
        <dd>{formatInstant(status.configuredAt, tz)}</dd>
        <dt>Pending jobs</dt>
        <dd>
          <Badge tone={status.pendingJobs > 0 ? 'warning' : 'success'} data-testid="integration-pending">
            {status.pendingJobs}
          </Badge>
        </dd>
        <dt>Scheduled</dt>
        <dd data-testid="integration-scheduled">
          {scheduledJobs(status)} follow-up{scheduledJobs(status) === 1 ? '' : 's'}{' '}
          <span className="muted">(moves to a recurring booking&apos;s next occurrence, revocations after the last)</span>
        </dd>
      </dl>
      {test && (
        <Alert tone={test.ok ? 'success' : 'danger'} title={test.ok ? 'Connection works' : 'Connection failed'} data-testid="integration-test-result">
          {test.message}
          {test.operation !== 'none' && ` (${test.operation}, ${test.latencyMs} ms)`}
        </Alert>
      )}
      {notice && (
        <Alert tone="info" data-testid="integration-notice">
          {notice}
        </Alert>
      )}
      <ErrorBanner error={error} title="The action failed" />
      <div className="form-actions">
        <Button onClick={() => run('test')} busy={busy === 'test'} data-testid="integration-test">
          Test connection
        </Button>
        <Button onClick={() => run('reconcile')} busy={busy === 'reconcile'} disabled={!status.isEnabled} data-testid="integration-reconcile">
          Reconcile now
        </Button>
        <Button variant={status.isEnabled ? 'danger' : 'primary'} onClick={() => run('toggle')} busy={busy === 'toggle'} data-testid="integration-toggle">
          {status.isEnabled ? 'Disable' : 'Enable'}
        </Button>
      </div>
    </Card>
  );
}

function memberLabel(members: Map<number, Member | null>, id: number | null) {
  if (id == null) return <span className="muted">—</span>;
  const m = members.get(id);
  return (
    <Link to={`/members/${id}`}>
      {m ? fullName(m) : `Member #${id}`}
    </Link>
  );
}

/*
 * Follow-ups (server: scheduled jobs) wait for the end of the occurrence window
 * that is granted now, then move the grant to the next occurrence (MOVE) or
 * revoke it after the last one (REVOKE). The generated API types do not have
 * these fields yet (web/openapi.json is regenerated by the lead), so they are
 * read as optional here.
 */
type JobWithSchedule = AccessJob & { scheduled?: boolean };

function scheduledJobs(status: IntegrationStatus): number {
  return (status as IntegrationStatus & { scheduledJobs?: number }).scheduledJobs ?? 0;
}

/** A follow-up that has not started: it runs at nextRunAt, not "as soon as possible". */
function isWaitingFollowUp(j: JobWithSchedule): boolean {
  return j.scheduled === true && j.status === 'PENDING' && j.attempts === 0;
}

function jobKindText(j: JobWithSchedule): string {
  if (!j.scheduled) return j.kind;
  return j.kind === 'MOVE' ? 'MOVE to next occurrence' : j.kind === 'REVOKE' ? 'REVOKE after last occurrence' : j.kind;
}

function windowText(from: string | null, until: string | null, tz?: string) {
  if (!from && !until) return <span className="muted">—</span>;
  return (
    <span>
      {formatInstant(from, tz)} – {formatInstant(until, tz)}
    </span>
  );
}

/** Loads a page whenever the query (or tick) changes; keeps the last page while reloading. */
function usePaged<T>(load: (signal: AbortSignal) => Promise<Page<T>>, deps: unknown[]) {
  const [page, setPage] = useState<Page<T> | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const ac = new AbortController();
    load(ac.signal)
      .then((p) => {
        setPage(p);
        setError(null);
      })
      .catch((e) => {
        if (!ac.signal.aborted) setError(e);
      });
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { page, error };
}

function JobsCard({ tick, onChanged }: { tick: number; onChanged: () => void }) {
  const { user } = useAuth();
  const tz = user?.entity?.timezone;
  const [status, setStatus] = useState<AccessJobStatus>('PENDING');
  const [pageNo, setPageNo] = useState(0);
  const [retrying, setRetrying] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { page, error: loadError } = usePaged<AccessJob>((signal) => api.listIntegrationJobs({ status, page: pageNo, size: PAGE_SIZE }, signal), [status, pageNo, tick]);
  const jobs: JobWithSchedule[] = page?.items ?? [];
  const members = useMembers(jobs.map((j) => j.memberId));

  async function retry(j: AccessJob) {
    setRetrying(j.id);
    setError(null);
    try {
      await api.retryIntegrationJob(j.id);
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setRetrying(null);
    }
  }

  return (
    <Card
      title="Jobs"
      className="card-flush"
      data-testid="integration-jobs"
      actions={
        <div className="segmented" role="group" aria-label="Job status">
          {(['PENDING', 'FAILED_PERMANENT', 'DONE'] as const).map((s) => (
            <button
              key={s}
              type="button"
              className={status === s ? 'is-on' : undefined}
              aria-pressed={status === s}
              onClick={() => (setStatus(s), setPageNo(0))}
            >
              {JOB_STATUS_LABEL[s]}
            </button>
          ))}
        </div>
      }
    >
      <ErrorBanner error={loadError ?? error} title="Jobs" />
      {page === null && !loadError ? (
        <Spinner label="Loading jobs…" />
      ) : jobs.length === 0 ? (
        <p className="table-note" data-testid="integration-jobs-empty">
          {status === 'PENDING' ? 'Nothing outstanding or scheduled: every grant and revocation reached the vendor.' : 'No jobs.'}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Member</th>
                <th scope="col">Window</th>
                <th scope="col">Attempts</th>
                <th scope="col">Next run</th>
                <th scope="col">Last error</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.id} data-testid="integration-job-row">
                  <td>
                    <div className="cell-title">
                      {jobKindText(j)} #{j.id}
                    </div>
                    <div className="cell-sub">Booking #{j.bookingId}</div>
                    {isWaitingFollowUp(j) && (
                      <Badge tone="neutral" data-testid="integration-job-scheduled">
                        Scheduled
                      </Badge>
                    )}
                  </td>
                  <td>{memberLabel(members, j.memberId)}</td>
                  <td>{windowText(j.validFrom, j.validUntil, tz)}</td>
                  <td data-testid="integration-job-attempts">{j.attempts}</td>
                  <td className="nowrap">
                    {j.status !== 'PENDING' ? (
                      <span className="muted">—</span>
                    ) : isWaitingFollowUp(j) ? (
                      <span title="When the granted occurrence's window ends">at {formatInstant(j.nextRunAt, tz)}</span>
                    ) : (
                      formatInstant(j.nextRunAt, tz)
                    )}
                  </td>
                  <td className="cell-sub" style={WRAP}>
                    {j.lastError ?? <span className="muted">—</span>}
                  </td>
                  <td className="cell-actions">
                    {j.status !== 'DONE' && (
                      <Button variant="ghost" busy={retrying === j.id} onClick={() => retry(j)} data-testid="integration-job-retry">
                        {isWaitingFollowUp(j) ? 'Run now' : 'Retry now'}
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page && page.totalPages > 1 && <Pagination page={page.page} size={page.size} totalItems={page.totalItems} totalPages={page.totalPages} onPage={setPageNo} />}
    </Card>
  );
}

/** A member filter: type a name, pick from the matches. */
function MemberFilter({ value, onChange, testId }: { value: number | undefined; onChange: (id: number | undefined) => void; testId: string }) {
  const [text, setText] = useState('');
  const [matches, setMatches] = useState<Member[]>([]);
  const q = useDebounced(text, 250);
  const selected = useMembers(value ? [value] : []).get(value ?? -1);
  useEffect(() => {
    if (!q.trim() || /#\d+\)?$/.test(q)) return;
    const ac = new AbortController();
    api
      .listMembers({ query: q.trim(), size: 10 }, ac.signal)
      .then((p) => setMatches(p.items ?? []))
      .catch(() => undefined);
    return () => ac.abort();
  }, [q]);
  const listId = `${testId}-list`;
  return (
    <div className="toolbar-field">
      <TextField
        label="Member"
        optional
        placeholder={value ? (selected ? `${fullName(selected)} (#${value})` : `#${value}`) : 'Search by name…'}
        value={text}
        list={listId}
        onChange={(e) => {
          const v = e.target.value;
          setText(v);
          const m = /#(\d+)\)?$/.exec(v);
          if (m) onChange(Number(m[1]));
          else if (!v.trim()) onChange(undefined);
        }}
        data-testid={testId}
      />
      <datalist id={listId}>
        {matches.map((m) => (
          <option key={m.id} value={`${fullName(m)} (#${m.id})`} />
        ))}
      </datalist>
      {value !== undefined && (
        <button
          type="button"
          className="link-btn"
          onClick={() => {
            setText('');
            onChange(undefined);
          }}
        >
          All members
        </button>
      )}
    </div>
  );
}

function LogCard({ tick, initialMember }: { tick: number; initialMember?: number }) {
  const { user } = useAuth();
  const tz = user?.entity?.timezone;
  const [memberId, setMemberId] = useState<number | undefined>(initialMember);
  const [bookingText, setBookingText] = useState('');
  const [action, setAction] = useState<AccessLogAction | ''>('');
  const [outcome, setOutcome] = useState<AccessLogOutcome | ''>('');
  const [pageNo, setPageNo] = useState(0);
  const bookingId = Number(useDebounced(bookingText, 300)) || undefined;
  const query = useMemo(
    () => ({ memberId, bookingId, action: action || undefined, outcome: outcome || undefined, page: pageNo, size: PAGE_SIZE }),
    [memberId, bookingId, action, outcome, pageNo],
  );
  useEffect(() => setPageNo(0), [memberId, bookingId, action, outcome]);
  const { page, error } = usePaged<AccessLogEntry>((signal) => api.listIntegrationLogs(query, signal), [query, tick]);
  const items = page?.items ?? [];
  const members = useMembers(items.map((e) => e.memberId));

  return (
    <Card title="Grant and revoke log" data-testid="integration-log">
      <div className="toolbar toolbar-wrap">
        <MemberFilter value={memberId} onChange={setMemberId} testId="log-filter-member" />
        <TextField
          label="Booking"
          optional
          inputMode="numeric"
          placeholder="Booking id"
          value={bookingText}
          onChange={(e) => setBookingText(e.target.value.replace(/\D/g, ''))}
          data-testid="log-filter-booking"
        />
        <SelectField label="Action" value={action} onChange={(e) => setAction(e.target.value as AccessLogAction | '')} data-testid="log-filter-action">
          <option value="">All</option>
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </SelectField>
        <SelectField label="Outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as AccessLogOutcome | '')} data-testid="log-filter-outcome">
          <option value="">All</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </SelectField>
      </div>
      <ErrorBanner error={error} title="Could not load the log" />
      {page === null && !error ? (
        <Spinner label="Loading the log…" />
      ) : items.length === 0 ? (
        <p className="table-note" data-testid="integration-log-empty">
          No vendor calls{memberId || bookingId || action || outcome ? ' match these filters' : ' yet'}.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">Member</th>
                <th scope="col">Booking</th>
                <th scope="col">Attempt</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} data-testid="integration-log-row">
                  <td className="nowrap">{formatInstant(e.createdAt, tz)}</td>
                  <td>{e.action}</td>
                  <td>
                    <Badge tone={OUTCOME_TONE[e.outcome] ?? 'neutral'} data-testid="integration-log-outcome">
                      {e.outcome}
                    </Badge>
                  </td>
                  <td>{memberLabel(members, e.memberId)}</td>
                  <td>{e.bookingId ? `#${e.bookingId}` : <span className="muted">—</span>}</td>
                  <td>{e.attempt}</td>
                  <td className="cell-sub" style={WRAP}>
                    {e.detail ?? (e.externalCredentialId ? <span className="mono">{e.externalCredentialId}</span> : <span className="muted">—</span>)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page && page.totalItems > 0 && <Pagination page={page.page} size={page.size} totalItems={page.totalItems} totalPages={page.totalPages} onPage={setPageNo} />}
    </Card>
  );
}

function CredentialsCard({ tick, initialMember }: { tick: number; initialMember?: number }) {
  const { user } = useAuth();
  const tz = user?.entity?.timezone;
  const [memberId, setMemberId] = useState<number | undefined>(initialMember);
  const [pageNo, setPageNo] = useState(0);
  useEffect(() => setPageNo(0), [memberId]);
  const { page, error } = usePaged<VendorCredential>((signal) => api.listVendorCredentials({ memberId, page: pageNo, size: PAGE_SIZE }, signal), [memberId, pageNo, tick]);
  const items = page?.items ?? [];
  const members = useMembers(items.map((c) => c.memberId));
  return (
    <Card title="Door cloud credentials" data-testid="integration-credentials">
      <div className="toolbar toolbar-wrap">
        <MemberFilter value={memberId} onChange={setMemberId} testId="credentials-filter-member" />
      </div>
      <ErrorBanner error={error} title="Could not load the credentials" />
      {page === null && !error ? (
        <Spinner label="Loading credentials…" />
      ) : items.length === 0 ? (
        <p className="table-note" data-testid="integration-credentials-empty">
          No vendor credentials{memberId ? ' for this member' : ' yet'}.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Booking</th>
                <th scope="col">Vendor id</th>
                <th scope="col">Valid</th>
                <th scope="col">Granted</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} data-testid="integration-credential-row">
                  <td>{memberLabel(members, c.memberId)}</td>
                  <td>{c.bookingId ? `#${c.bookingId}` : <span className="muted">—</span>}</td>
                  <td>
                    <span className="mono">{c.externalCredentialId}</span>
                    <div className="cell-sub">{c.provider}</div>
                  </td>
                  <td>{windowText(c.validFrom, c.validUntil, tz)}</td>
                  <td className="nowrap">{formatInstant(c.grantedAt, tz)}</td>
                  <td>
                    {c.isActive ? (
                      <Badge tone="success">Active</Badge>
                    ) : (
                      <Badge tone="neutral">Revoked {c.revokedAt ? formatInstant(c.revokedAt, tz) : ''}</Badge>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page && page.totalItems > 0 && <Pagination page={page.page} size={page.size} totalItems={page.totalItems} totalPages={page.totalPages} onPage={setPageNo} />}
    </Card>
  );
}
