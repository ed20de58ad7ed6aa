import { useCallback, useEffect, useState } from 'react';
import { api, itemsOf } from '../../api/endpoints';
import { ApiError } from '../../api/problem';
import type { BookingConflict, Resource } from '../../api/types';
import { useAuth } from '../../auth';
import { formatRange, safeZone } from '../../bookings/tz';
import { Link, useLocation } from '../../router';

export const RESOURCE_TYPE_LABEL: Record<string, string> = {
  ROOM: 'Room',
  AREA: 'Area',
  EQUIPMENT: 'Equipment',
  VEHICLE: 'Vehicle',
  PERSONNEL: 'Personnel',
};

export const BOOKED_FOR_LABEL: Record<string, string> = {
  MEMBER: 'Member',
  EVENT: 'Event',
  COURSE: 'Course',
  MAINTENANCE: 'Maintenance',
};

const STAFF_ROLES = ['PLATFORM_ADMIN', 'CLUB_ADMIN', 'STAFF'];
const ADMIN_ROLES = ['PLATFORM_ADMIN', 'CLUB_ADMIN'];

/** The organisation's zone and what the signed-in user may do here. */
export function useBookingContext() {
  const { user } = useAuth();
  return {
    timeZone: safeZone(user?.entity?.timezone),
    isStaff: STAFF_ROLES.includes(user?.role ?? ''),
    isAdmin: ADMIN_ROLES.includes(user?.role ?? ''),
  };
}

export function BookingsTabs() {
  const { pathname } = useLocation();
  const tabs = [
    { to: '/bookings', label: 'Calendar', active: pathname === '/bookings' },
    { to: '/bookings/resources', label: 'Resources', active: pathname.startsWith('/bookings/resources') },
  ];
  return (
    <nav className="tabs" aria-label="Bookings sections">
      {tabs.map((t) => (
        <Link key={t.to} to={t.to} className={`tab${t.active ? ' tab-active' : ''}`} aria-current={t.active ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

/** All resources (one page of 200), sorted as the server sends them. */
export function useResources() {
  const [resources, setResources] = useState<Resource[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    try {
      setResources(itemsOf(await api.listResources()));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { resources, error, reload };
}

/** The `conflicts` of a booking-conflict 409, or null for any other error. */
export function conflictsOf(e: unknown): BookingConflict[] | null {
  if (!(e instanceof ApiError) || e.status !== 409) return null;
  const c = e.problem.conflicts;
  return Array.isArray(c) ? (c as BookingConflict[]) : null;
}

/**
 * Names the bookings a 409 conflicts with: "“Team meeting” (Mon 23 Nov, 10:00–11:00)".
 * Titles come from `known` (what the calendar shows), else GET /api/bookings/{id}.
 */
export async function describeConflicts(conflicts: BookingConflict[], timeZone: string, known: Map<number, string>): Promise<string[]> {
  const titles = new Map(known);
  const missing = [...new Set(conflicts.map((c) => c.bookingId).filter((id): id is number => typeof id === 'number' && !titles.has(id)))];
  await Promise.all(
    missing.slice(0, 10).map(async (id) => {
      try {
        titles.set(id, (await api.getBooking(id)).title);
      } catch {
        // not visible to this user: named by number
      }
    }),
  );
  return conflicts.slice(0, 5).map((c) => {
    const what = c.bookingId == null ? 'a maintenance window' : titles.has(c.bookingId) ? `“${titles.get(c.bookingId)}”` : `booking #${c.bookingId}`;
    return `${what} (${formatRange(c.start, c.end, timeZone)})`;
  });
}
