import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { useAuth } from './auth';
import { IconAnalytics } from './components/Icons';
import { Layout } from './components/Layout';
import { Spinner } from './components/ui';
import { LiveFeedPage } from './pages/access/LiveFeed';
import { BleReadersPage } from './pages/access/BleReaders';
import { RulesPage } from './pages/access/Rules';
import { ResourceDetailPage } from './pages/bookings/ResourceDetail';
import { ResourcesPage } from './pages/bookings/Resources';
import { ZonesPage } from './pages/access/Zones';
import { ComingSoonPage, type ComingSoonSpec } from './pages/ComingSoon';
import { AttendancePage } from './pages/courses/Attendance';
import { CourseDetailPage } from './pages/courses/CourseDetail';
import { CourseFormPage } from './pages/courses/CourseForm';
import { CoursesPage, MyCoursesPage, SchedulePage } from './pages/courses/Courses';
import { PublicSchedulePage } from './pages/courses/PublicSchedule';
import { DashboardPage } from './pages/Dashboard';
import { DevicesPage } from './pages/Devices';
import { IntegrationsPage } from './pages/integrations/Integrations';
import { ImportMembersPage } from './pages/ImportMembers';
import { KioskPage } from './pages/Kiosk';
import { LoginPage, safeNext } from './pages/Login';
import { MemberDetailPage } from './pages/MemberDetail';
import { MembersPage } from './pages/Members';
import { NotFoundPage } from './pages/NotFound';
import { OrganisationSettingsPage, TemplatesPage } from './pages/Settings';
import { DoorDisplayPage } from './pages/phone/DoorDisplay';
import { MyPassPage } from './pages/phone/MyPass';
import { QrRedeemPage } from './pages/phone/QrRedeem';
import { matchPath, useLocation, useNavigate } from './router';

// FullCalendar is large: the calendar page loads on first visit.
const CalendarPage = lazy(() => import('./pages/bookings/Calendar').then((m) => ({ default: m.CalendarPage })));

const SOON: Record<string, ComingSoonSpec> = {
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
  if (matchPath('/access/ble', pathname)) return <BleReadersPage />;
  if (matchPath('/devices', pathname)) return <DevicesPage />;
  if (matchPath('/integrations', pathname)) return <IntegrationsPage />;
  if (matchPath('/bookings', pathname))
    return (
      <Suspense fallback={<Spinner label="Loading the calendar…" />}>
        <CalendarPage />
      </Suspense>
    );
  if (matchPath('/bookings/resources', pathname)) return <ResourcesPage />;
  const rm = matchPath('/bookings/resources/:id', pathname);
  if (rm && /^\d+$/.test(rm.id)) return <ResourceDetailPage key={rm.id} id={Number(rm.id)} />;
  if (matchPath('/courses', pathname)) return <CoursesPage />;
  if (matchPath('/courses/schedule', pathname)) return <SchedulePage />;
  if (matchPath('/courses/mine', pathname)) return <MyCoursesPage />;
  if (matchPath('/courses/new', pathname)) return <CourseFormPage key="new" />;
  const cm = matchPath('/courses/:id/*', pathname);
  if (cm && /^\d+$/.test(cm.id)) {
    const id = Number(cm.id);
    if (matchPath('/courses/:id', pathname)) return <CourseDetailPage key={id} id={id} />;
    if (matchPath('/courses/:id/edit', pathname)) return <CourseFormPage key={`edit-${id}`} id={id} />;
    if (matchPath('/courses/:id/attendance', pathname)) return <AttendancePage key={id} id={id} />;
  }
  if (matchPath('/me/pass', pathname)) return <MyPassPage />;
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
  // The QR door display signs in with its QR_DISPLAY device key, like the kiosk.
  if (matchPath('/door-display', pathname)) return <DoorDisplayPage />;
  // The public course schedule needs no session.
  const pub = matchPath('/schedule/:entityId', pathname);
  if (pub && /^\d+$/.test(pub.entityId)) return <PublicSchedulePage key={pub.entityId} entityId={Number(pub.entityId)} />;

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
  // A door's QR code opened on the member's phone: full screen, no navigation.
  const qr = matchPath('/q/:token', pathname);
  if (qr) return <QrRedeemPage key={qr.token} token={qr.token} />;
  return <Layout>{routeFor(pathname)}</Layout>;
}
