import { useEffect, type ReactNode } from 'react';
import { useAuth } from './auth';
import { IconAnalytics, IconCalendar, IconCourses, IconIntegrations } from './components/Icons';
import { Layout } from './components/Layout';
import { Spinner } from './components/ui';
import { LiveFeedPage } from './pages/access/LiveFeed';
import { RulesPage } from './pages/access/Rules';
import { ZonesPage } from './pages/access/Zones';
import { ComingSoonPage, type ComingSoonSpec } from './pages/ComingSoon';
import { DashboardPage } from './pages/Dashboard';
import { DevicesPage } from './pages/Devices';
import { ImportMembersPage } from './pages/ImportMembers';
import { KioskPage } from './pages/Kiosk';
import { LoginPage, safeNext } from './pages/Login';
import { MemberDetailPage } from './pages/MemberDetail';
import { MembersPage } from './pages/Members';
import { NotFoundPage } from './pages/NotFound';
import { OrganisationSettingsPage, TemplatesPage } from './pages/Settings';
import { matchPath, useLocation, useNavigate } from './router';

const SOON: Record<string, ComingSoonSpec> = {
  '/bookings': {
    title: 'Bookings',
    description: 'Rooms, areas, equipment and people, booked without double bookings.',
    icon: IconCalendar,
    features: [
      'Week, day and month calendar with drag-and-drop rescheduling',
      'Recurring bookings, checked occurrence by occurrence',
      'Maintenance windows and availability',
      'An iCalendar feed per resource',
    ],
  },
  '/courses': {
    title: 'Courses',
    description: 'Classes with schedules, capacity and wait lists.',
    icon: IconCourses,
    features: [
      'Recurring schedules that book their room automatically',
      'Registration with automatic wait-list promotion',
      'Attendance per session for trainers',
      'A public weekly timetable',
    ],
  },
  '/analytics': {
    title: 'Analytics',
    description: 'How your space is used, and by whom.',
    icon: IconAnalytics,
    features: [
      'Utilisation per resource and a weekday × hour heatmap',
      'Visits, visit length, peak hours and churn risk',
      'Course fill rates, no-shows and instructor performance',
      'CSV and PDF export',
    ],
  },
  '/integrations': {
    title: 'Integrations',
    description: 'Door vendor clouds, webhooks and events.',
    icon: IconIntegrations,
    features: [
      'Connect Kisi, Brivo and other door systems',
      'Credentials granted and revoked automatically with bookings',
      'A log of every grant and revoke',
      'Signed webhooks',
    ],
  },
};

function Redirect({ to }: { to: string }) {
  const navigate = useNavigate();
  useEffect(() => navigate(to, { replace: true }), [navigate, to]);
  return null;
}

function routeFor(pathname: string): ReactNode {
  if (pathname === '/' || pathname === '') return <DashboardPage />;
  if (matchPath('/members', pathname)) return <MembersPage />;
  if (matchPath('/members/import', pathname)) return <ImportMembersPage />;
  const m = matchPath('/members/:id', pathname);
  if (m && /^\d+$/.test(m.id)) return <MemberDetailPage key={m.id} id={Number(m.id)} />;
  if (matchPath('/access', pathname)) return <Redirect to="/access/zones" />;
  if (matchPath('/access/zones', pathname)) return <ZonesPage />;
  if (matchPath('/access/rules', pathname)) return <RulesPage />;
  if (matchPath('/access/live', pathname)) return <LiveFeedPage />;
  if (matchPath('/devices', pathname)) return <DevicesPage />;
  if (matchPath('/settings', pathname)) return <Redirect to="/settings/organisation" />;
  if (matchPath('/settings/organisation', pathname)) return <OrganisationSettingsPage />;
  if (matchPath('/settings/templates', pathname)) return <TemplatesPage />;
  const soon = SOON[pathname.replace(/\/+$/, '')];
  if (soon) return <ComingSoonPage key={pathname} spec={soon} />;
  return <NotFoundPage />;
}

export function App() {
  const { status } = useAuth();
  const { pathname, search } = useLocation();

  // Kiosk mode signs in with its own device key, not a user session.
  if (matchPath('/kiosk', pathname)) return <KioskPage />;

  if (status === 'loading') {
    return (
      <div className="boot">
        <Spinner label="Starting Gatehouse…" />
      </div>
    );
  }
  if (pathname === '/login') {
    return status === 'authenticated' ? <Redirect to={safeNext(new URLSearchParams(search).get('next'))} /> : <LoginPage />;
  }
  if (status !== 'authenticated') {
    const here = pathname + search;
    return <Redirect to={here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`} />;
  }
  return <Layout>{routeFor(pathname)}</Layout>;
}
