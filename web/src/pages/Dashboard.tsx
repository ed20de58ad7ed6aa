import { useEffect, useState } from 'react';
import { api } from '../api/endpoints';
import { isAdmin, isStaff, roleLabel, useAuth } from '../auth';
import { IconAccess, IconAnalytics, IconCalendar, IconFile, IconMembers, IconPlus, IconUpload } from '../components/Icons';
import { Card, PageHeader } from '../components/ui';
import { useTitle } from '../hooks';
import { Link } from '../router';

function greeting(): string {
  const h = new Date().getHours();
  return h < 12 ? 'Good morning' : h < 18 ? 'Good afternoon' : 'Good evening';
}

function Stat({ label, value, to, testId }: { label: string; value: string; to?: string; testId?: string }) {
  const body = (
    <>
      <span className="stat-value" data-testid={testId}>
        {value}
      </span>
      <span className="stat-label">{label}</span>
    </>
  );
  return to ? (
    <Link to={to} className="stat stat-link">
      {body}
    </Link>
  ) : (
    <div className="stat stat-muted">{body}</div>
  );
}

export function DashboardPage() {
  useTitle('Dashboard');
  const { user } = useAuth();
  const staff = isStaff(user?.role);
  const [members, setMembers] = useState<number | null>(null);
  const [templates, setTemplates] = useState<number | null>(null);

  useEffect(() => {
    if (!staff) return;
    const ctrl = new AbortController();
    api.listMembers({ page: 0, size: 1 }, ctrl.signal).then((p) => setMembers(p.totalItems), () => undefined);
    api.listTemplates(ctrl.signal).then((p) => setTemplates(p.totalItems ?? p.items?.length ?? 0), () => undefined);
    return () => ctrl.abort();
  }, [staff]);

  return (
    <>
      <PageHeader
        title={`${greeting()}`}
        description={
          <>
            Signed in as {user?.email} ({roleLabel(user?.role)}){user?.entity ? ` at ${user.entity.name}` : ''}.
          </>
        }
      />
      {staff && (
        <div className="stats">
          <Stat label="Members" value={members === null ? '–' : String(members)} to="/members" testId="stat-members" />
          <Stat label="Contract templates" value={templates === null ? '–' : String(templates)} to={isAdmin(user?.role) ? '/settings/templates' : undefined} />
          <Stat label="Checked in now" value="–" />
          <Stat label="Bookings today" value="–" />
        </div>
      )}
      <div className="dash-grid">
        {staff && (
          <Card title="Quick actions">
            <ul className="quick-list">
              <li>
                <Link to="/members" className="quick-link">
                  <span className="quick-icon"><IconMembers size={18} /></span>
                  <span>
                    <span className="quick-title">Find a member</span>
                    <span className="quick-sub">Search by name, email or number</span>
                  </span>
                </Link>
              </li>
              <li>
                <Link to="/members?new=1" className="quick-link">
                  <span className="quick-icon"><IconPlus size={18} /></span>
                  <span>
                    <span className="quick-title">Add a member</span>
                    <span className="quick-sub">Create a profile and a contract</span>
                  </span>
                </Link>
              </li>
              {isAdmin(user?.role) && (
              <li>
                <Link to="/members/import" className="quick-link">
                  <span className="quick-icon"><IconUpload size={18} /></span>
                  <span>
                    <span className="quick-title">Import from CSV</span>
                    <span className="quick-sub">Bring members over from a spreadsheet</span>
                  </span>
                </Link>
              </li>
              )}
              {isAdmin(user?.role) && (
                <li>
                  <Link to="/settings/templates" className="quick-link">
                    <span className="quick-icon"><IconFile size={18} /></span>
                    <span>
                      <span className="quick-title">Contract templates</span>
                      <span className="quick-sub">Plans and tiers you offer</span>
                    </span>
                  </Link>
                </li>
              )}
            </ul>
          </Card>
        )}
        <Card title="Coming next">
          <ul className="quick-list">
            <li className="quick-link quick-static">
              <span className="quick-icon quick-icon-muted"><IconAccess size={18} /></span>
              <span>
                <span className="quick-title">Live check-ins and occupancy</span>
                <span className="quick-sub">Who is in, zone by zone, as it happens</span>
              </span>
            </li>
            <li className="quick-link quick-static">
              <span className="quick-icon quick-icon-muted"><IconCalendar size={18} /></span>
              <span>
                <span className="quick-title">Bookings calendar</span>
                <span className="quick-sub">Rooms, equipment and courses in one view</span>
              </span>
            </li>
            <li className="quick-link quick-static">
              <span className="quick-icon quick-icon-muted"><IconAnalytics size={18} /></span>
              <span>
                <span className="quick-title">Utilisation analytics</span>
                <span className="quick-sub">Peak hours, fill rates and churn risk</span>
              </span>
            </li>
          </ul>
        </Card>
      </div>
    </>
  );
}
