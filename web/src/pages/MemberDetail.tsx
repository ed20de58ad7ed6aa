import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, itemsOf } from '../api/endpoints';
import { ApiError } from '../api/problem';
import { CONTRACT_STATUSES, type Contract, type ContractStatus, type ContractTemplate, type Member } from '../api/types';
import { isAdmin, isStaff, useAuth } from '../auth';
import { ErrorBanner } from '../components/ErrorBanner';
import { CheckinHistoryCard, CredentialsCard } from '../components/MemberAccess';
import { IconEdit, IconFile, IconPlus, IconRefresh } from '../components/Icons';
import { localMemberErrors, MEMBER_FIELDS, MemberForm, memberToValues, type MemberFormValues } from '../components/MemberForm';
import { Alert, Avatar, Badge, Button, Card, Dialog, EmptyState, PageHeader, SelectField, Spinner, TextField } from '../components/ui';
import { formatDate, formatInstant, fullName, todayIn } from '../format';
import { useTitle } from '../hooks';
import { Link, useSearchParams } from '../router';

const STATUS_LABEL: Record<ContractStatus, string> = {
  ACTIVE: 'Active',
  SUSPENDED: 'Suspended',
  CANCELLED: 'Cancelled',
};

export function MemberDetailPage({ id }: { id: number }) {
  const { user } = useAuth();
  const params = useSearchParams();
  const [member, setMember] = useState<Member | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [contracts, setContracts] = useState<Contract[] | null>(null);
  const [contractsError, setContractsError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [justSaved, setJustSaved] = useState(params.get('created') === '1' ? 'created' : '');
  useTitle(member ? fullName(member) : 'Member');

  const loadMember = useCallback(async () => {
    try {
      const m = await api.getMember(id);
      setMember(m);
      setLoadError(null);
      return m;
    } catch (e) {
      setLoadError(e);
      return null;
    }
  }, [id]);

  const loadContracts = useCallback(async () => {
    try {
      setContracts(itemsOf(await api.listContracts(id)));
      setContractsError(null);
    } catch (e) {
      setContractsError(e);
    }
  }, [id]);

  useEffect(() => {
    setMember(null);
    setContracts(null);
    void loadMember();
    void loadContracts();
  }, [loadMember, loadContracts]);

  if (loadError instanceof ApiError && loadError.status === 404) {
    return (
      <EmptyState title="Member not found" data-testid="member-not-found" actions={<Link to="/members" className="btn btn-secondary">Back to members</Link>}>
        This member does not exist or belongs to another organisation.
      </EmptyState>
    );
  }
  if (!member) {
    return loadError ? <ErrorBanner error={loadError} title="Could not load the member" /> : <Spinner label="Loading member…" />;
  }

  const hasActive = contracts?.some((c) => c.active) ?? member.activeContract;
  const canEdit = isStaff(user?.role);
  const tz = user?.entity?.timezone;

  return (
    <>
      <PageHeader
        breadcrumb={
          <>
            <Link to="/members">Members</Link>
            <span aria-hidden="true"> / </span>
            <span aria-current="page">{fullName(member)}</span>
          </>
        }
        title={
          <span className="title-with-avatar">
            <Avatar name={fullName(member)} size={44} />
            <span>
              <span data-testid="member-name">{fullName(member)}</span>
              <span className="title-meta">
                <span className="mono">#{member.memberNumber}</span>
                {hasActive !== undefined && (
                  <Badge tone={hasActive ? 'success' : 'neutral'} data-testid="member-contract-badge">
                    {hasActive ? 'Active contract' : 'No active contract'}
                  </Badge>
                )}
              </span>
            </span>
          </span>
        }
      />

      {justSaved && (
        <Alert tone="success" data-testid="member-saved">
          {justSaved === 'created' ? 'Member created.' : 'Changes saved.'}{' '}
          <button type="button" className="link-btn" onClick={() => setJustSaved('')}>
            Dismiss
          </button>
        </Alert>
      )}

      <div className="detail-grid">
        <ProfileCard
          member={member}
          editing={editing}
          canEdit={canEdit}
          tz={tz}
          onEdit={() => {
            setJustSaved('');
            setEditing(true);
          }}
          onCancel={() => setEditing(false)}
          onSaved={(m) => {
            setMember(m);
            setEditing(false);
            setJustSaved('saved');
          }}
          onReload={loadMember}
        />
        <ContractsCard
          memberId={member.id}
          contracts={contracts}
          error={contractsError}
          canEdit={canEdit}
          canManageTemplates={isAdmin(user?.role)}
          tz={tz}
          onChanged={() => {
            void loadContracts();
            void loadMember();
          }}
        />
      </div>

      {canEdit && (
        <div className="detail-grid detail-grid-access">
          <CredentialsCard memberId={member.id} canEdit={canEdit} tz={tz} />
          <CheckinHistoryCard memberId={member.id} tz={tz} />
        </div>
      )}
    </>
  );
}

function ProfileCard({
  member,
  editing,
  canEdit,
  tz,
  onEdit,
  onCancel,
  onSaved,
  onReload,
}: {
  member: Member;
  editing: boolean;
  canEdit: boolean;
  tz?: string;
  onEdit: () => void;
  onCancel: () => void;
  onSaved: (m: Member) => void;
  onReload: () => Promise<Member | null>;
}) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const [formKey, setFormKey] = useState(0);

  useEffect(() => {
    if (editing) {
      setErrors({});
      setError(null);
      setConflict(false);
    }
  }, [editing]);

  const save = async (v: MemberFormValues) => {
    const local = localMemberErrors(v, true);
    setErrors(local);
    setError(null);
    setConflict(false);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const saved = await api.updateMember(member.id, {
        firstName: v.firstName.trim(),
        lastName: v.lastName.trim(),
        email: v.email.trim(),
        phone: v.phone.trim() || undefined,
        memberNumber: v.memberNumber.trim(),
        version: member.version,
      });
      onSaved(saved);
    } catch (e) {
      if (e instanceof ApiError && e.isStaleVersion) {
        setConflict(true);
      } else {
        if (e instanceof ApiError) setErrors(e.fieldErrors);
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  };

  const reload = async () => {
    setBusy(true);
    await onReload();
    setConflict(false);
    setFormKey((k) => k + 1);
    setBusy(false);
  };

  return (
    <Card
      title="Profile"
      data-testid="profile-card"
      actions={
        canEdit &&
        !editing && (
          <Button variant="secondary" icon={IconEdit} onClick={onEdit} data-testid="edit-member">
            Edit
          </Button>
        )
      }
    >
      {editing ? (
        <>
          {conflict && (
            <Alert
              tone="warning"
              title="Someone else changed this member"
              data-testid="conflict-alert"
              actions={
                <Button variant="primary" icon={IconRefresh} onClick={reload} busy={busy} data-testid="conflict-reload">
                  Reload latest version
                </Button>
              }
            >
              Your changes were not saved because this member was updated after you opened it. Reload to see the
              latest version, then make your changes again.
            </Alert>
          )}
          <ErrorBanner error={error} title="The changes could not be saved" shownFields={MEMBER_FIELDS} />
          <MemberForm
            key={`${member.id}-${member.version}-${formKey}`}
            id="edit-member-form"
            initial={memberToValues(member)}
            errors={errors}
            requireNumber
            onSubmit={save}
          >
            <div className="form-actions">
              <Button variant="ghost" onClick={onCancel}>
                Cancel
              </Button>
              <Button variant="primary" type="submit" busy={busy} disabled={conflict} data-testid="save-member">
                Save changes
              </Button>
            </div>
          </MemberForm>
        </>
      ) : (
        <dl className="props">
          <div>
            <dt>First name</dt>
            <dd>{member.firstName}</dd>
          </div>
          <div>
            <dt>Last name</dt>
            <dd>{member.lastName}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd data-testid="member-email">
              <a href={`mailto:${member.email}`}>{member.email}</a>
            </dd>
          </div>
          <div>
            <dt>Phone</dt>
            <dd>{member.phone || <span className="muted">Not set</span>}</dd>
          </div>
          <div>
            <dt>Member number</dt>
            <dd className="mono" data-testid="member-number">
              {member.memberNumber}
            </dd>
          </div>
          <div>
            <dt>Added</dt>
            <dd>{formatInstant(member.createdAt, tz)}</dd>
          </div>
        </dl>
      )}
    </Card>
  );
}

function ContractsCard({
  memberId,
  contracts,
  error,
  canEdit,
  canManageTemplates,
  tz,
  onChanged,
}: {
  memberId: number;
  contracts: Contract[] | null;
  error: unknown;
  canEdit: boolean;
  canManageTemplates: boolean;
  tz?: string;
  onChanged: () => void;
}) {
  const [adding, setAdding] = useState(false);
  const [editingContract, setEditingContract] = useState<Contract | null>(null);

  return (
    <Card
      title="Contracts"
      data-testid="contracts-card"
      actions={
        canEdit && (
          <Button variant="primary" icon={IconPlus} onClick={() => setAdding(true)} data-testid="add-contract">
            Add contract
          </Button>
        )
      }
    >
      <ErrorBanner error={error} title="Could not load contracts" />
      {contracts === null && !error ? (
        <Spinner label="Loading contracts…" />
      ) : contracts && contracts.length === 0 ? (
        <EmptyState icon={IconFile} title="No contracts" data-testid="contracts-empty">
          A member needs an active contract to check in.
        </EmptyState>
      ) : (
        contracts && (
          <div className="table-wrap">
            <table className="table table-compact" data-testid="contracts-table">
              <thead>
                <tr>
                  <th scope="col">Plan</th>
                  <th scope="col">Period</th>
                  <th scope="col">Status</th>
                  {canEdit && (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {contracts.map((c) => (
                  <tr key={c.id} data-testid="contract-row">
                    <td>
                      <div className="cell-title">{c.templateName}</div>
                      <div className="cell-sub">Tier {c.tierCd}</div>
                    </td>
                    <td className="nowrap">
                      {formatDate(c.startDate)} – {c.endDate ? formatDate(c.endDate) : <span className="muted">open-ended</span>}
                    </td>
                    <td>
                      <div className="badges">
                        <Badge tone={c.active ? 'success' : 'neutral'} data-testid="contract-active-badge">
                          {c.active ? 'Active' : 'Inactive'}
                        </Badge>
                        {c.statusCd !== 'ACTIVE' && (
                          <Badge tone={c.statusCd === 'SUSPENDED' ? 'warning' : 'danger'}>{STATUS_LABEL[c.statusCd] ?? c.statusCd}</Badge>
                        )}
                      </div>
                    </td>
                    {canEdit && (
                      <td className="cell-actions">
                        <Button variant="ghost" onClick={() => setEditingContract(c)} aria-label={`Edit contract ${c.templateName}`}>
                          <IconEdit size={16} />
                        </Button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
      <AddContractDialog
        open={adding}
        memberId={memberId}
        tz={tz}
        canManageTemplates={canManageTemplates}
        onClose={() => setAdding(false)}
        onSaved={() => {
          setAdding(false);
          onChanged();
        }}
      />
      <EditContractDialog
        contract={editingContract}
        onClose={() => setEditingContract(null)}
        onSaved={() => {
          setEditingContract(null);
          onChanged();
        }}
      />
    </Card>
  );
}

const CONTRACT_FIELDS = ['templateId', 'startDate', 'endDate', 'statusCd'];

function AddContractDialog({
  open,
  memberId,
  tz,
  canManageTemplates,
  onClose,
  onSaved,
}: {
  open: boolean;
  memberId: number;
  tz?: string;
  canManageTemplates: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [templates, setTemplates] = useState<ContractTemplate[] | null>(null);
  const [templatesError, setTemplatesError] = useState<unknown>(null);
  const [templateId, setTemplateId] = useState('');
  const [startDate, setStartDate] = useState('');
  const [endDate, setEndDate] = useState('');
  const [statusCd, setStatusCd] = useState<ContractStatus>('ACTIVE');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setStartDate(todayIn(tz));
    setEndDate('');
    setStatusCd('ACTIVE');
    setErrors({});
    setError(null);
    setTemplates(null);
    const ctrl = new AbortController();
    api
      .listTemplates(ctrl.signal)
      .then((p) => {
        const list = itemsOf(p);
        setTemplates(list);
        setTemplateId(list.length ? String(list[0].id) : '');
      })
      .catch((e) => {
        if (!(e instanceof DOMException)) setTemplatesError(e);
      });
    return () => ctrl.abort();
  }, [open, tz]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!templateId) local.templateId = 'Choose a contract template';
    if (!startDate) local.startDate = 'Start date is required';
    if (startDate && endDate && endDate < startDate) local.endDate = 'End date must not be before the start date';
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await api.createContract(memberId, {
        templateId: Number(templateId),
        startDate,
        endDate: endDate || undefined,
        statusCd,
      });
      onSaved();
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const noTemplates = templates !== null && templates.length === 0;

  return (
    <Dialog
      open={open}
      title="Add contract"
      description="The contract is active while its status is Active and today is within its dates."
      onClose={onClose}
      data-testid="add-contract-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="add-contract-form" busy={busy} disabled={noTemplates || templates === null} data-testid="add-contract-submit">
            Add contract
          </Button>
        </>
      }
    >
      <ErrorBanner error={templatesError} title="Could not load contract templates" />
      <ErrorBanner error={error} title="The contract could not be added" shownFields={CONTRACT_FIELDS} />
      {templates === null && !templatesError ? (
        <Spinner label="Loading templates…" />
      ) : noTemplates ? (
        <Alert tone="info" title="No contract templates yet">
          A contract is created from a template (name and tier).{' '}
          {canManageTemplates ? (
            <Link to="/settings/templates">Create a template in Settings</Link>
          ) : (
            'Ask a club admin to create one.'
          )}
        </Alert>
      ) : (
        <form id="add-contract-form" className="form" onSubmit={submit} noValidate>
          <SelectField
            label="Template"
            name="templateId"
            value={templateId}
            onChange={(e) => setTemplateId(e.target.value)}
            error={errors.templateId}
            data-testid="contract-template"
          >
            {(templates ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} · tier {t.tierCd}
              </option>
            ))}
          </SelectField>
          <div className="form-row">
            <TextField label="Start date" name="startDate" type="date" required value={startDate} onChange={(e) => setStartDate(e.target.value)} error={errors.startDate} />
            <TextField label="End date" name="endDate" type="date" optional value={endDate} min={startDate || undefined} onChange={(e) => setEndDate(e.target.value)} error={errors.endDate} hint="Leave empty for an open-ended contract." />
          </div>
          <SelectField label="Status" name="statusCd" value={statusCd} onChange={(e) => setStatusCd(e.target.value as ContractStatus)} error={errors.statusCd}>
            {CONTRACT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </SelectField>
        </form>
      )}
    </Dialog>
  );
}

function EditContractDialog({ contract, onClose, onSaved }: { contract: Contract | null; onClose: () => void; onSaved: () => void }) {
  const [startDate, setStartDate] = useState('');
  const [endDate, setEndDate] = useState('');
  const [statusCd, setStatusCd] = useState<ContractStatus>('ACTIVE');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!contract) return;
    setStartDate(contract.startDate);
    setEndDate(contract.endDate ?? '');
    setStatusCd(contract.statusCd);
    setErrors({});
    setError(null);
    setConflict(false);
  }, [contract]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!contract) return;
    const local: Record<string, string> = {};
    if (!startDate) local.startDate = 'Start date is required';
    if (startDate && endDate && endDate < startDate) local.endDate = 'End date must not be before the start date';
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await api.updateContract(contract.id, { startDate, endDate: endDate || undefined, statusCd, version: contract.version });
      onSaved();
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
      open={!!contract}
      title="Edit contract"
      description={contract ? `${contract.templateName} · tier ${contract.tierCd}` : undefined}
      onClose={onClose}
      data-testid="edit-contract-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="edit-contract-form" busy={busy} disabled={conflict}>
            Save contract
          </Button>
        </>
      }
    >
      {conflict && (
        <Alert
          tone="warning"
          title="This contract was changed by someone else"
          actions={
            <Button variant="primary" icon={IconRefresh} onClick={onSaved}>
              Reload contracts
            </Button>
          }
        >
          Your changes were not saved. Reload to see the latest version.
        </Alert>
      )}
      <ErrorBanner error={error} title="The contract could not be saved" shownFields={CONTRACT_FIELDS} />
      <form id="edit-contract-form" className="form" onSubmit={submit} noValidate>
        <div className="form-row">
          <TextField label="Start date" name="startDate" type="date" required value={startDate} onChange={(e) => setStartDate(e.target.value)} error={errors.startDate} />
          <TextField label="End date" name="endDate" type="date" optional value={endDate} min={startDate || undefined} onChange={(e) => setEndDate(e.target.value)} error={errors.endDate} />
        </div>
        <SelectField
          label="Status"
          name="statusCd"
          value={statusCd}
          onChange={(e) => setStatusCd(e.target.value as ContractStatus)}
          error={errors.statusCd}
          hint={contract?.statusCd === 'CANCELLED' ? 'A cancelled contract cannot be reactivated; add a new contract instead.' : undefined}
        >
          {CONTRACT_STATUSES.map((s) => (
            <option key={s} value={s} disabled={contract?.statusCd === 'CANCELLED' && s !== 'CANCELLED'}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </SelectField>
      </form>
    </Dialog>
  );
}
