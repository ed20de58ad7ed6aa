import { useEffect, useRef, useState } from 'react';
import { api, itemsOf } from '../api/endpoints';
import { ApiError } from '../api/problem';
import type { Member, Page } from '../api/types';
import { isAdmin, isStaff, useAuth } from '../auth';
import { ErrorBanner } from '../components/ErrorBanner';
import { IconMembers, IconPlus, IconSearch, IconUpload } from '../components/Icons';
import { localMemberErrors, MEMBER_FIELDS, MemberForm, memberToValues, type MemberFormValues } from '../components/MemberForm';
import { Avatar, Badge, Button, Dialog, EmptyState, PageHeader, Pagination, Spinner } from '../components/ui';
import { formatInstant, fullName } from '../format';
import { useDebounced, useTitle } from '../hooks';
import { Link, useNavigate, useSearchParams } from '../router';

const PAGE_SIZE = 20;

export function ContractBadge({ active }: { active: boolean | undefined }) {
  if (active === undefined) return null;
  return active ? (
    <Badge tone="success">Active contract</Badge>
  ) : (
    <Badge tone="neutral">No active contract</Badge>
  );
}

export function MembersPage() {
  useTitle('Members');
  const { user } = useAuth();
  const navigate = useNavigate();
  const params = useSearchParams();
  const urlQuery = params.get('query') ?? '';
  const page = Math.max(0, parseInt(params.get('page') ?? '0', 10) || 0);

  const [search, setSearch] = useState(urlQuery);
  const debounced = useDebounced(search, 300);
  const [data, setData] = useState<Page<Member> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [creating, setCreating] = useState(() => params.get('new') === '1');

  // Keep the box in sync when the URL changes from outside (back/forward), but
  // never rewrite what the user is typing (e.g. a trailing space). A URL this
  // page wrote itself is not "outside": by the time it arrives the user may have
  // typed on ("hedy lamar" arriving after the final "r" was typed), and syncing
  // to it would eat those keys.
  const searchRef = useRef(search);
  searchRef.current = search;
  const wroteRef = useRef<string | null>(null);
  useEffect(() => {
    const ours = wroteRef.current === urlQuery.trim();
    wroteRef.current = null;
    if (!ours && searchRef.current.trim() !== urlQuery.trim()) setSearch(urlQuery);
  }, [urlQuery]);

  // Debounced search → URL (replace, so typing does not flood history), back to page 0.
  useEffect(() => {
    if (debounced.trim() === urlQuery.trim()) return;
    const q = new URLSearchParams();
    if (debounced.trim()) q.set('query', debounced.trim());
    wroteRef.current = debounced.trim();
    navigate(`/members${q.toString() ? `?${q}` : ''}`, { replace: true });
  }, [debounced]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    api
      .listMembers({ query: urlQuery || undefined, page, size: PAGE_SIZE }, ctrl.signal)
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
  }, [urlQuery, page]);

  const goPage = (p: number) => {
    const q = new URLSearchParams();
    if (urlQuery) q.set('query', urlQuery);
    if (p > 0) q.set('page', String(p));
    navigate(`/members${q.toString() ? `?${q}` : ''}`);
  };

  const members = itemsOf(data);
  const canEdit = isStaff(user?.role);

  return (
    <>
      <PageHeader
        title="Members"
        description="Everyone who can hold a contract, a credential or a booking."
        actions={
          canEdit && (
            <>
              {isAdmin(user?.role) && (
                <Link to="/members/import" className="btn btn-secondary" data-testid="import-link">
                  <IconUpload size={16} /> Import CSV
                </Link>
              )}
              <Button variant="primary" icon={IconPlus} onClick={() => setCreating(true)} data-testid="new-member">
                New member
              </Button>
            </>
          )
        }
      />

      <div className="toolbar">
        <div className="search">
          <IconSearch size={16} className="search-icon" />
          <label htmlFor="member-search" className="visually-hidden">
            Search members
          </label>
          <input
            id="member-search"
            type="search"
            className="input search-input"
            placeholder="Search by name, email or member number"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            data-testid="member-search"
            autoComplete="off"
          />
        </div>
        {loading && data && <span className="spinner spinner-sm" role="status" aria-label="Updating" />}
      </div>

      <ErrorBanner error={error} title="Could not load members" />

      <div className="card card-flush">
        {!data && loading ? (
          <Spinner label="Loading members…" />
        ) : members.length === 0 && !error ? (
          urlQuery ? (
            <EmptyState icon={IconSearch} title="No members match your search" data-testid="members-empty">
              Nothing found for “{urlQuery}”. Try a different name, email or member number.
            </EmptyState>
          ) : (
            <EmptyState
              icon={IconMembers}
              title="No members yet"
              data-testid="members-empty"
              actions={
                canEdit && (
                  <>
                    <Button variant="primary" icon={IconPlus} onClick={() => setCreating(true)}>
                      Add the first member
                    </Button>
                    {isAdmin(user?.role) && (
                      <Link to="/members/import" className="btn btn-secondary">
                        <IconUpload size={16} /> Import from CSV
                      </Link>
                    )}
                  </>
                )
              }
            >
              Add members one by one or import them from a spreadsheet.
            </EmptyState>
          )
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="members-table">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Number</th>
                  <th scope="col" className="hide-md">Phone</th>
                  <th scope="col">Contract</th>
                  <th scope="col" className="hide-md">Added</th>
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <tr key={m.id} data-testid="member-row" className="row-link" onClick={() => navigate(`/members/${m.id}`)}>
                    <td>
                      <div className="cell-person">
                        <Avatar name={fullName(m)} size={34} />
                        <div>
                          <Link to={`/members/${m.id}`} className="cell-title" onClick={(e) => e.stopPropagation()}>
                            {fullName(m)}
                          </Link>
                          <div className="cell-sub">{m.email}</div>
                        </div>
                      </div>
                    </td>
                    <td className="mono">{m.memberNumber}</td>
                    <td className="hide-md">{m.phone || <span className="muted">—</span>}</td>
                    <td>
                      <ContractBadge active={m.activeContract} />
                    </td>
                    <td className="hide-md muted">{formatInstant(m.createdAt, user?.entity?.timezone).split(',')[0]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data && data.totalItems > 0 && (
          <div className="card-footer">
            <Pagination page={data.page} size={data.size} totalItems={data.totalItems} totalPages={data.totalPages} onPage={goPage} />
          </div>
        )}
      </div>

      <CreateMemberDialog
        open={creating}
        onClose={() => {
          setCreating(false);
          if (params.get('new')) navigate('/members', { replace: true });
        }}
        onCreated={(m) => {
          setCreating(false);
          navigate(`/members/${m.id}?created=1`);
        }}
      />
    </>
  );
}

function CreateMemberDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (m: Member) => void }) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [formKey, setFormKey] = useState(0);

  useEffect(() => {
    if (open) {
      setErrors({});
      setError(null);
      setFormKey((k) => k + 1);
    }
  }, [open]);

  const submit = async (v: MemberFormValues) => {
    const local = localMemberErrors(v, false);
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const m = await api.createMember({
        firstName: v.firstName.trim(),
        lastName: v.lastName.trim(),
        email: v.email.trim(),
        phone: v.phone.trim() || undefined,
        memberNumber: v.memberNumber.trim() || undefined,
      });
      onCreated(m);
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fieldErrors);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      title="New member"
      description="The member number is generated when left empty."
      onClose={onClose}
      data-testid="create-member-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="create-member-form" busy={busy} data-testid="create-member-submit">
            Create member
          </Button>
        </>
      }
    >
      <ErrorBanner error={error} title="The member could not be created" shownFields={MEMBER_FIELDS} />
      <MemberForm key={formKey} id="create-member-form" initial={memberToValues()} errors={errors} onSubmit={submit} />
    </Dialog>
  );
}
