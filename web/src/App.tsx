import { useEffect, type ReactNode } from 'react';
import { useAuth } from './auth';
import {
  IconAccess,
  IconAnalytics,
  IconCalendar,
  IconCourses,
  IconDevices,
  IconIntegrations,
} from './components/Icons';
import { Layout } from './components/Layout';
import { Spinner } from './components/ui';
import { ComingSoonPage, type ComingSoonSpec } from './pages/ComingSoon';
import { DashboardPage } from './pages/Dashboard';
import { ImportMembersPage } from './pages/ImportMembers';
import { LoginPage, safeNext } from './pages/Login';
import { MemberDetailPage } from './pages/MemberDetail';
import { MembersPage } from './pages/Members';
import { NotFoundPage } from './pages/NotFound';
import { OrganisationSettingsPage, TemplatesPage } from './pages/Settings';
import { matchPath, useLocation, useNavigate } from './router';

const SOON: Record<string, ComingSoonSpec> = {
  '/access/zones': {
    title: 'Zones',
    description: 'Buildings, floors, rooms and lockers, with their doors and access rules.',
    icon: IconAccess,
    features: [
      'A zone tree with maximum occupancy and minimum contract tier',
      'Rules by tier, time window and weekday, inherited down the tree',
      'Bind each door to OSDP, QR, BLE or a vendor cloud such as Kisi or Brivo',
      'Remote unlock, audited',
    ],
  },
  '/access/live': {
    title: 'Live feed',
    description: 'Every check-in decision as it happens.',
    icon: IconAccess,
    features: [
      'Granted and denied check-ins streaming in real time, with the reason',
      'Occupancy per zone',
      'Manual check-in and check-out for the front desk',
      'A full-screen kiosk mode for the entrance',
    ],
  },
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
  '/devices': {
    title: 'Devices',
    description: 'Card readers, kiosks, QR door displays and BLE gateways.',
    icon: IconDevices,
    features: ['Register devices and issue their API keys', 'See which devices are online', 'Assign devices to zones'],
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
