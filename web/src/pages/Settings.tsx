import { useEffect, useState, type FormEvent } from 'react';
import { api, itemsOf } from '../api/endpoints';
import { ApiError } from '../api/problem';
import type { ContractTemplate } from '../api/types';
import { useAuth } from '../auth';
import { ErrorBanner } from '../components/ErrorBanner';
import { IconFile, IconPlus } from '../components/Icons';
import { Badge, Button, Card, EmptyState, PageHeader, Spinner, TextField } from '../components/ui';
import { formatInstant } from '../format';
import { useTitle } from '../hooks';
import { Link, useLocation } from '../router';

function SettingsTabs() {
  const { pathname } = useLocation();
  const tabs = [
    { to: '/settings/organisation', label: 'Organisation' },
    { to: '/settings/templates', label: 'Contract templates' },
  ];
  return (
    <nav className="tabs" aria-label="Settings sections">
      {tabs.map((t) => (
        <Link key={t.to} to={t.to} className={`tab${pathname === t.to ? ' tab-active' : ''}`} aria-current={pathname === t.to ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

export function OrganisationSettingsPage() {
  useTitle('Settings');
  const { user } = useAuth();
  return (
    <>
      <PageHeader title="Settings" description="Your organisation and how memberships are set up." />
      <SettingsTabs />
      <Card title="Organisation">
        <dl className="props">
          <div>
            <dt>Name</dt>
            <dd data-testid="org-name">{user?.entity?.name ?? '—'}</dd>
          </div>
          <div>
            <dt>Time zone</dt>
            <dd>{user?.entity?.timezone ?? '—'}</dd>
          </div>
          <div>
            <dt>Organisation id</dt>
            <dd className="mono">{user?.entityId}</dd>
          </div>
        </dl>
        <p className="card-note">
          Contract activity, access rules, bookings and reports use this time zone. Editing organisation details comes with
          a later release.
        </p>
      </Card>
    </>
  );
}

export function TemplatesPage() {
  useTitle('Contract templates');
  const { user } = useAuth();
  const [templates, setTemplates] = useState<ContractTemplate[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [tierCd, setTierCd] = useState('');
  const [tierRank, setTierRank] = useState('1');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saveError, setSaveError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);

  const load = async () => {
    try {
      setTemplates(itemsOf(await api.listTemplates()));
      setError(null);
    } catch (e) {
      setError(e);
    }
  };

  useEffect(() => {
    void load();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'Name is required';
    if (!tierCd.trim()) local.tierCd = 'Tier code is required';
    if (!/^-?\d+$/.test(tierRank.trim())) local.tierRank = 'Tier rank must be a whole number';
    setErrors(local);
    setSaveError(null);
    setCreated(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const t = await api.createTemplate({ name: name.trim(), tierCd: tierCd.trim(), tierRank: parseInt(tierRank, 10) });
      setCreated(t.name);
      setName('');
      setTierCd('');
      setTierRank('1');
      await load();
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors);
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  };

  const sorted = [...(templates ?? [])].sort((a, b) => a.tierRank - b.tierRank || a.name.localeCompare(b.name));

  return (
    <>
      <PageHeader title="Settings" description="Your organisation and how memberships are set up." />
      <SettingsTabs />
      <div className="detail-grid detail-grid-wide-left">
        <Card title="Contract templates" data-testid="templates-card">
          <ErrorBanner error={error} title="Could not load templates" />
          {templates === null && !error ? (
            <Spinner />
          ) : sorted.length === 0 ? (
            <EmptyState icon={IconFile} title="No templates yet">
              Templates describe the plans you sell (for example “Basic”, “Premium 24/7”). Members get contracts from them.
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table table-compact" data-testid="templates-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Tier</th>
                    <th scope="col">Rank</th>
                    <th scope="col" className="hide-md">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {sorted.map((t) => (
                    <tr key={t.id} data-testid="template-row">
                      <td className="cell-title">{t.name}</td>
                      <td>
                        <Badge tone="info">{t.tierCd}</Badge>
                      </td>
                      <td className="mono">{t.tierRank}</td>
                      <td className="hide-md muted">{formatInstant(t.createdAt, user?.entity?.timezone)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
        <Card title="New template">
          {created && (
            <p className="success-note" role="status" data-testid="template-created">
              Template “{created}” created.
            </p>
          )}
          <ErrorBanner error={saveError} title="The template could not be created" shownFields={['name', 'tierCd', 'tierRank']} />
          <form className="form" onSubmit={submit} noValidate>
            <TextField label="Name" name="name" required value={name} onChange={(e) => setName(e.target.value)} error={errors.name} placeholder="Premium 24/7" />
            <div className="form-row">
              <TextField label="Tier code" name="tierCd" required value={tierCd} onChange={(e) => setTierCd(e.target.value)} error={errors.tierCd} placeholder="PREMIUM" />
              <TextField
                label="Tier rank"
                name="tierRank"
                type="number"
                inputMode="numeric"
                required
                value={tierRank}
                onChange={(e) => setTierRank(e.target.value)}
                error={errors.tierRank}
                hint="Higher ranks open more zones."
              />
            </div>
            <div className="form-actions">
              <Button variant="primary" type="submit" icon={IconPlus} busy={busy} data-testid="create-template">
                Create template
              </Button>
            </div>
          </form>
        </Card>
      </div>
      <p className="page-note">
        Contracts are added on each <Link to="/members">member’s page</Link>.
      </p>
    </>
  );
}
