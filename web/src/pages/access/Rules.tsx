import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, itemsOf } from '../../api/endpoints';
import { ApiError } from '../../api/problem';
import type { AccessRule, ContractTemplate, Member, RuleType, Weekday } from '../../api/types';
import { isAdmin, useAuth } from '../../auth';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconClose, IconEdit, IconPlus, IconRules, IconSearch, IconTrash } from '../../components/Icons';
import { Alert, Badge, Button, Card, Dialog, EmptyState, Field, PageHeader, SelectField, Spinner, TextField } from '../../components/ui';
import { fullName } from '../../format';
import { useDebounced, useTitle } from '../../hooks';
import { primeMember, useMembers } from '../../memberCache';
import { Link, useNavigate, useSearchParams } from '../../router';
import {
  emptyRuleValues,
  isOvernight,
  placeConfigErrors,
  RULE_FIELDS,
  RULE_TYPES,
  ruleSummary,
  ruleToValues,
  ruleTypeLabel,
  validateRule,
  WEEKDAYS,
  type RuleFormValues,
} from '../../rules';
import { flattenZones, ZONE_TYPE_LABEL, type FlatZone } from '../../zones';
import { AccessTabs, useZoneTree } from './common';

const RULE_TONE: Record<RuleType, 'info' | 'success' | 'warning' | 'danger'> = {
  MEMBERSHIP_TIER: 'success',
  TIME_RESTRICTION: 'info',
  DAY_OF_WEEK: 'info',
  BLACKLIST: 'danger',
};

export function RulesPage() {
  useTitle('Access rules');
  const { user } = useAuth();
  const admin = isAdmin(user?.role);
  const navigate = useNavigate();
  const params = useSearchParams();
  const { tree, error: treeError } = useZoneTree();
  const flat = useMemo(() => flattenZones(tree), [tree]);
  const requested = Number(params.get('zoneId') ?? '') || null;
  const selected: FlatZone | undefined = flat.find((f) => f.zone.id === requested) ?? (requested ? undefined : flat[0]);
  const zoneId = selected?.zone.id ?? null;

  const [rules, setRules] = useState<AccessRule[] | null>(null);
  const [inherited, setInherited] = useState<{ zone: FlatZone; rules: AccessRule[] }[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [templates, setTemplates] = useState<ContractTemplate[]>([]);
  const [editing, setEditing] = useState<{ rule: AccessRule | null } | null>(null);
  const [deleting, setDeleting] = useState<AccessRule | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    api
      .listTemplates(ctrl.signal)
      .then((p) => setTemplates(itemsOf(p)))
      .catch(() => undefined);
    return () => ctrl.abort();
  }, []);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      if (!selected) return;
      try {
        const own = await api.listRules(selected.zone.id, signal);
        const up = await Promise.all(
          selected.ancestors.map(async (id) => ({ zone: flat.find((f) => f.zone.id === id)!, rules: await api.listRules(id, signal) })),
        );
        setRules(sortRules(own.filter((r) => r.zoneId === selected.zone.id || r.zoneId == null)));
        setInherited(up.filter((u) => u.zone && u.rules.length).map((u) => ({ ...u, rules: sortRules(u.rules.filter((r) => r.zoneId === u.zone.zone.id)) })));
        setError(null);
      } catch (e) {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        setError(e);
      }
    },
    [selected, flat],
  );

  useEffect(() => {
    setRules(null);
    setInherited([]);
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [zoneId]); // eslint-disable-line react-hooks/exhaustive-deps

  const blocked = useMemo(() => [...(rules ?? []), ...inherited.flatMap((i) => i.rules)].flatMap((r) => r.config?.blockedMemberIds ?? []), [rules, inherited]);
  const members = useMembers(blocked);
  const names = {
    template: (id: number) => templates.find((t) => t.id === id)?.name,
    member: (id: number) => {
      const m = members.get(id);
      return m ? fullName(m) : undefined;
    },
  };

  return (
    <>
      <PageHeader
        title="Access"
        description="Rules decide who may enter a zone and when. All active rules of a zone and of the zones around it must pass."
        actions={
          admin &&
          selected && (
            <Button variant="primary" icon={IconPlus} onClick={() => setEditing({ rule: null })} data-testid="new-rule">
              New rule
            </Button>
          )
        }
      />
      <AccessTabs />
      <ErrorBanner error={treeError} title="Could not load the zones" />
      {tree === null && !treeError ? (
        <Spinner label="Loading zones…" />
      ) : flat.length === 0 ? (
        tree && (
          <Card>
            <EmptyState icon={IconRules} title="No zones yet" actions={<Link to="/access/zones" className="btn btn-primary">Create a zone</Link>}>
              Rules belong to a zone. Create a zone first.
            </EmptyState>
          </Card>
        )
      ) : (
        <>
          <div className="toolbar toolbar-wrap">
            <div className="toolbar-field">
              <SelectField
                label="Zone"
                value={zoneId ?? ''}
                onChange={(e) => navigate(`/access/rules?zoneId=${e.target.value}`, { replace: true })}
                data-testid="rules-zone"
              >
                {flat.map((f) => (
                  <option key={f.zone.id} value={f.zone.id}>
                    {'\u2003'.repeat(f.depth)}
                    {f.zone.name} · {ZONE_TYPE_LABEL[f.zone.typeCd]}
                    {f.zone.active ? '' : ' (inactive)'}
                  </option>
                ))}
              </SelectField>
            </div>
            {selected && selected.path.length > 1 && <p className="toolbar-note">{selected.path.join(' › ')}</p>}
          </div>
          {requested && !selected && <Alert tone="warning">That zone does not exist. Choose one above.</Alert>}
          {notice && (
            <Alert tone="success" data-testid="rule-notice">
              {notice}{' '}
              <button type="button" className="link-btn" onClick={() => setNotice(null)}>
                Dismiss
              </button>
            </Alert>
          )}
          <ErrorBanner error={error} title="Could not load the rules" />
          {selected && (
            <Card className="card-flush" title={<span className="card-title-pad">Rules of {selected.zone.name}</span>} data-testid="rules-card">
              {rules === null && !error ? (
                <Spinner label="Loading rules…" />
              ) : rules && rules.length === 0 ? (
                <EmptyState icon={IconRules} title="No rules on this zone" data-testid="rules-empty">
                  {selected.zone.requiresContractTier
                    ? `Members with an active contract of tier ${selected.zone.requiresContractTier} or higher may enter at any time.`
                    : 'Any member with an active contract may enter at any time.'}{' '}
                  {inherited.length ? 'Rules of the zones around it still apply (below).' : ''}
                </EmptyState>
              ) : (
                rules && <RulesTable rules={rules} names={names} admin={admin} onEdit={(r) => setEditing({ rule: r })} onDelete={setDeleting} />
              )}
            </Card>
          )}
          {inherited.map((i) => (
            <Card
              key={i.zone.zone.id}
              className="card-flush"
              title={
                <span className="card-title-pad">
                  Inherited from {i.zone.zone.name} <span className="muted">({ZONE_TYPE_LABEL[i.zone.zone.typeCd]})</span>
                </span>
              }
              actions={
                <Link to={`/access/rules?zoneId=${i.zone.zone.id}`} className="btn btn-ghost btn-sm card-action-pad">
                  Open
                </Link>
              }
              data-testid="inherited-rules"
            >
              <RulesTable rules={i.rules} names={names} admin={false} />
            </Card>
          ))}
        </>
      )}
      {selected && (
        <RuleDialog
          state={editing}
          zoneId={selected.zone.id}
          zoneName={selected.zone.name}
          templates={templates}
          onClose={() => setEditing(null)}
          onSaved={(r, created) => {
            setEditing(null);
            setNotice(created ? `Rule “${r.name}” created.` : `Rule “${r.name}” saved.`);
            void load();
          }}
        />
      )}
      <DeleteRuleDialog
        rule={deleting}
        onClose={() => setDeleting(null)}
        onDone={(r) => {
          setDeleting(null);
          setNotice(`Rule “${r.name}” deleted.`);
          void load();
        }}
      />
    </>
  );
}

function sortRules(rs: AccessRule[]): AccessRule[] {
  return [...rs].sort((a, b) => b.priority - a.priority || a.id - b.id);
}

function RulesTable({
  rules,
  names,
  admin,
  onEdit,
  onDelete,
}: {
  rules: AccessRule[];
  names: Parameters<typeof ruleSummary>[1];
  admin: boolean;
  onEdit?: (r: AccessRule) => void;
  onDelete?: (r: AccessRule) => void;
}) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="rules-table">
        <thead>
          <tr>
            <th scope="col" className="col-num">
              Priority
            </th>
            <th scope="col">Rule</th>
            <th scope="col">Allows</th>
            <th scope="col">Status</th>
            {admin && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.id} data-testid="rule-row">
              <td className="col-num mono">{r.priority}</td>
              <td>
                <div className="cell-title">{r.name}</div>
                <Badge tone={RULE_TONE[r.ruleCd] ?? 'neutral'}>{ruleTypeLabel(r.ruleCd)}</Badge>
              </td>
              <td className="rule-summary">{ruleSummary(r, names)}</td>
              <td>
                <Badge tone={r.active ? 'success' : 'neutral'}>{r.active ? 'Active' : 'Off'}</Badge>
              </td>
              {admin && (
                <td className="cell-actions nowrap">
                  <Button variant="ghost" onClick={() => onEdit?.(r)} aria-label={`Edit rule ${r.name}`}>
                    <IconEdit size={16} />
                  </Button>
                  <Button variant="ghost" className="btn-ghost-danger" onClick={() => onDelete?.(r)} aria-label={`Delete rule ${r.name}`}>
                    <IconTrash size={16} />
                  </Button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RuleDialog({
  state,
  zoneId,
  zoneName,
  templates,
  onClose,
  onSaved,
}: {
  state: { rule: AccessRule | null } | null;
  zoneId: number;
  zoneName: string;
  templates: ContractTemplate[];
  onClose: () => void;
  onSaved: (r: AccessRule, created: boolean) => void;
}) {
  const rule = state?.rule ?? null;
  const [v, setV] = useState<RuleFormValues>(emptyRuleValues());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!state) return;
    setV(rule ? ruleToValues(rule) : emptyRuleValues());
    setErrors({});
    setError(null);
    setConflict(false);
  }, [state]); // eslint-disable-line react-hooks/exhaustive-deps

  const set = <K extends keyof RuleFormValues>(k: K, val: RuleFormValues[K]) => setV((old) => ({ ...old, [k]: val }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { errors: local, body } = validateRule(v, zoneId);
    setErrors(local);
    setError(null);
    setConflict(false);
    if (!body) return;
    setBusy(true);
    try {
      const saved = rule ? await api.updateRule(rule.id, { ...body, version: rule.version }) : await api.createRule(body);
      onSaved(saved ?? ({ ...body, id: rule?.id ?? 0, version: 0 } as AccessRule), !rule);
    } catch (err) {
      if (err instanceof ApiError && err.isStaleVersion) setConflict(true);
      else {
        if (err instanceof ApiError) setErrors(placeConfigErrors(err.fieldErrors));
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  const configError = errors.config;
  const templateOptions = templates.map((t) => ({ value: String(t.id), label: t.name, sub: `tier ${t.tierCd} · rank ${t.tierRank}` }));
  const exemptGroup = (
    <CheckboxGroup
      legend="Exempt plans (optional)"
      error={errors['config.exemptTemplateIds']}
      hint="Members with an active contract from these templates may enter outside the window, e.g. residents with 24/7 access."
      options={templateOptions}
      selected={v.exemptTemplateIds.map(String)}
      onChange={(ids) => set('exemptTemplateIds', ids.map(Number))}
      testid="rule-exempt"
    />
  );

  return (
    <Dialog
      open={!!state}
      wide
      title={rule ? `Edit rule` : `New rule for ${zoneName}`}
      description="A member may enter only when every active rule passes. When several fail, the one with the highest priority names the reason."
      onClose={onClose}
      data-testid="rule-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="rule-form" busy={busy} disabled={conflict} data-testid="rule-submit">
            {rule ? 'Save rule' : 'Create rule'}
          </Button>
        </>
      }
    >
      {conflict && (
        <Alert tone="warning" title="This rule was changed by someone else">
          Your changes were not saved. Close this dialog to see the latest version.
        </Alert>
      )}
      <ErrorBanner error={error} title="The rule could not be saved" shownFields={RULE_FIELDS} />
      <form id="rule-form" className="form" onSubmit={submit} noValidate>
        <TextField label="Name" name="name" value={v.name} onChange={(e) => set('name', e.target.value)} error={errors.name} placeholder="e.g. Sauna for Premium only" />
        <fieldset className="fieldset">
          <legend className="field-label">Rule type</legend>
          <div className="choice-grid" role="radiogroup">
            {RULE_TYPES.map((t) => (
              <label key={t.value} className={`choice${v.ruleCd === t.value ? ' choice-checked' : ''}`}>
                <input type="radio" name="ruleCd" value={t.value} checked={v.ruleCd === t.value} onChange={() => set('ruleCd', t.value)} />
                <span className="choice-title">{t.label}</span>
                <span className="choice-text">{t.description}</span>
              </label>
            ))}
          </div>
          {errors.ruleCd && <p className="field-error">{errors.ruleCd}</p>}
        </fieldset>

        <div className="rule-config" data-testid="rule-config">
          {v.ruleCd === 'MEMBERSHIP_TIER' && (
            <>
              <CheckboxGroup
                legend="Allowed contract templates"
                error={errors['config.allowedTemplateIds']}
                hint="Members need an active contract from one of these."
                options={templateOptions}
                selected={v.templateIds.map(String)}
                onChange={(ids) => set('templateIds', ids.map(Number))}
                empty={
                  <>
                    No contract templates yet. <Link to="/settings/templates">Create one in Settings</Link>.
                  </>
                }
                testid="rule-templates"
              />
              <TextField
                label="Or any plan of at least tier rank"
                name="minTierRank"
                type="number"
                inputMode="numeric"
                min={0}
                max={1000}
                optional
                value={v.minTierRank}
                onChange={(e) => set('minTierRank', e.target.value)}
                error={errors['config.minTierRank']}
                hint="Admits every plan whose tier rank is this or higher, including plans added later. Either condition suffices."
              />
            </>
          )}
          {v.ruleCd === 'TIME_RESTRICTION' && (
            <>
              <div className="form-row">
                <TextField
                  label="Allowed from"
                  name="allowFrom"
                  inputMode="numeric"
                  placeholder="HH:MM"
                  maxLength={5}
                  className="input mono"
                  value={v.allowFrom}
                  onChange={(e) => set('allowFrom', e.target.value)}
                  error={errors['config.allowFrom']}
                  data-testid="rule-from"
                />
                <TextField
                  label="Allowed until"
                  name="allowUntil"
                  inputMode="numeric"
                  placeholder="HH:MM"
                  maxLength={5}
                  className="input mono"
                  value={v.allowUntil}
                  onChange={(e) => set('allowUntil', e.target.value)}
                  error={errors['config.allowUntil']}
                  data-testid="rule-until"
                />
              </div>
              <Alert tone="info">
                Times are in the organisation’s time zone (24-hour clock, HH:MM; the end time itself is outside the window, 24:00 means
                midnight). A window may run past midnight: <strong>22:00–06:00</strong> allows entry from 10 pm until 6 am the next
                morning.
                {isOvernight(v.allowFrom, v.allowUntil) && (
                  <>
                    {' '}
                    <span data-testid="overnight-note">
                      This window is overnight: {v.allowFrom} until {v.allowUntil} the next day.
                    </span>
                  </>
                )}
              </Alert>
              {exemptGroup}
            </>
          )}
          {v.ruleCd === 'DAY_OF_WEEK' && (
            <>
            <CheckboxGroup
              legend="Allowed days"
              error={errors['config.allowedDays']}
              options={WEEKDAYS.map((d) => ({ value: d.value, label: d.short, title: d.long }))}
              selected={v.days}
              onChange={(days) => set('days', days as Weekday[])}
              inline
              testid="rule-days"
              extra={
                <div className="inline-actions">
                  <button type="button" className="link-btn" onClick={() => set('days', ['MON', 'TUE', 'WED', 'THU', 'FRI'])}>
                    Weekdays
                  </button>
                  <button type="button" className="link-btn" onClick={() => set('days', ['SAT', 'SUN'])}>
                    Weekend
                  </button>
                  <button type="button" className="link-btn" onClick={() => set('days', WEEKDAYS.map((d) => d.value))}>
                    Every day
                  </button>
                </div>
              }
            />
            {exemptGroup}
            </>
          )}
          {v.ruleCd === 'BLACKLIST' && (
            <MemberPicker selected={v.memberIds} onChange={(ids) => set('memberIds', ids)} error={errors['config.blockedMemberIds']} />
          )}
          {configError && (
            <p className="field-error" data-testid="rule-config-error">
              {configError}
            </p>
          )}
        </div>

        <div className="form-row">
          <TextField
            label="Priority"
            name="priority"
            type="number"
            inputMode="numeric"
            value={v.priority}
            onChange={(e) => set('priority', e.target.value)}
            error={errors.priority}
            hint="Higher is evaluated first and names the denial."
          />
          <div className="checkbox-field checkbox-field-inline">
            <input id="rule-active" type="checkbox" checked={v.active} onChange={(e) => set('active', e.target.checked)} />
            <div>
              <label htmlFor="rule-active">Active</label>
              <p className="field-hint">Inactive rules are kept but not checked.</p>
            </div>
          </div>
        </div>
      </form>
    </Dialog>
  );
}

function CheckboxGroup({
  legend,
  options,
  selected,
  onChange,
  error,
  hint,
  inline,
  empty,
  extra,
  testid,
}: {
  legend: string;
  options: { value: string; label: string; sub?: string; title?: string }[];
  selected: string[];
  onChange: (v: string[]) => void;
  error?: string;
  hint?: string;
  inline?: boolean;
  empty?: React.ReactNode;
  extra?: React.ReactNode;
  testid?: string;
}) {
  const errId = `${testid}-err`;
  return (
    <fieldset className={`fieldset${error ? ' field-invalid' : ''}`} aria-describedby={error ? errId : undefined} data-testid={testid}>
      <legend className="field-label">{legend}</legend>
      {options.length === 0 && empty ? (
        <p className="field-hint">{empty}</p>
      ) : (
        <div className={inline ? 'check-row' : 'check-list'}>
          {options.map((o) => {
            const on = selected.includes(o.value);
            return (
              <label key={o.value} className={`check${on ? ' check-on' : ''}`} title={o.title}>
                <input
                  type="checkbox"
                  value={o.value}
                  checked={on}
                  onChange={(e) => onChange(e.target.checked ? [...selected, o.value] : selected.filter((s) => s !== o.value))}
                />
                <span>{o.label}</span>
                {o.sub && <span className="check-sub">{o.sub}</span>}
              </label>
            );
          })}
        </div>
      )}
      {extra}
      {error ? (
        <p className="field-error" id={errId}>
          {error}
        </p>
      ) : (
        hint && <p className="field-hint">{hint}</p>
      )}
    </fieldset>
  );
}

function MemberPicker({ selected, onChange, error }: { selected: number[]; onChange: (ids: number[]) => void; error?: string }) {
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 250);
  const [results, setResults] = useState<Member[] | null>(null);
  const [searchError, setSearchError] = useState<unknown>(null);
  const known = useMembers(selected);

  useEffect(() => {
    if (!q) {
      setResults(null);
      return;
    }
    const ctrl = new AbortController();
    api
      .listMembers({ query: q, size: 8 }, ctrl.signal)
      .then((p) => {
        const items = itemsOf(p);
        items.forEach(primeMember);
        setResults(items);
        setSearchError(null);
      })
      .catch((e) => {
        if (!(e instanceof DOMException)) setSearchError(e);
      });
    return () => ctrl.abort();
  }, [q]);

  return (
    <Field label="Blocked members" error={error} hint="These members are denied here whatever their contract says.">
      {({ id, describedBy, invalid }) => (
        <div className="member-picker" data-testid="member-picker">
          {selected.length > 0 && (
            <ul className="chips" aria-label="Blocked members">
              {selected.map((mid) => {
                const m = known.get(mid);
                return (
                  <li key={mid} className="chip" data-testid="blocked-member">
                    <span>{m ? fullName(m) : `Member #${mid}`}</span>
                    {m && <span className="chip-sub mono">#{m.memberNumber}</span>}
                    <button type="button" className="chip-remove" aria-label={`Remove ${m ? fullName(m) : `member ${mid}`}`} onClick={() => onChange(selected.filter((x) => x !== mid))}>
                      <IconClose size={14} />
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
          <div className="search">
            <IconSearch size={16} className="search-icon" />
            <input
              id={id}
              className="input search-input"
              type="search"
              placeholder="Search by name, e-mail or member number"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              autoComplete="off"
              data-testid="member-picker-search"
            />
          </div>
          <ErrorBanner error={searchError} title="Search failed" />
          {results && (
            <ul className="picker-results" aria-label="Search results">
              {results.length === 0 && <li className="picker-empty">No member matches “{q}”.</li>}
              {results.map((m) => {
                const on = selected.includes(m.id);
                return (
                  <li key={m.id}>
                    <button
                      type="button"
                      className="picker-result"
                      disabled={on}
                      onClick={() => {
                        onChange([...selected, m.id]);
                        setQuery('');
                      }}
                      data-testid="member-picker-result"
                    >
                      <span className="cell-title">{fullName(m)}</span>
                      <span className="cell-sub">
                        #{m.memberNumber} · {m.email}
                      </span>
                      <span className="picker-action">{on ? 'Blocked' : 'Block'}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </Field>
  );
}

function DeleteRuleDialog({ rule, onClose, onDone }: { rule: AccessRule | null; onClose: () => void; onDone: (r: AccessRule) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setError(null), [rule]);
  return (
    <Dialog
      open={!!rule}
      title={rule ? `Delete “${rule.name}”?` : 'Delete rule'}
      description="The rule stops applying at once. To pause it instead, edit it and turn Active off."
      onClose={onClose}
      data-testid="delete-rule-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="danger"
            busy={busy}
            data-testid="delete-rule-confirm"
            onClick={async () => {
              if (!rule) return;
              setBusy(true);
              try {
                await api.deleteRule(rule.id);
                onDone(rule);
              } catch (e) {
                setError(e);
              } finally {
                setBusy(false);
              }
            }}
          >
            Delete rule
          </Button>
        </>
      }
    >
      <ErrorBanner error={error} title="The rule could not be deleted" />
    </Dialog>
  );
}
