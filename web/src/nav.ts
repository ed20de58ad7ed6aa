import type { ComponentType, SVGProps } from 'react';
import type { Role } from './api/types';
import {
  IconAccess,
  IconAnalytics,
  IconCalendar,
  IconCourses,
  IconDashboard,
  IconDevices,
  IconIntegrations,
  IconMembers,
  IconSettings,
} from './components/Icons';

export interface NavItem {
  label: string;
  to: string;
  icon: ComponentType<SVGProps<SVGSVGElement> & { size?: number }>;
  /** Roles that see the item; undefined = everyone signed in. */
  roles?: Role[];
  children?: { label: string; to: string; roles?: Role[] }[];
}

const STAFF: Role[] = ['PLATFORM_ADMIN', 'CLUB_ADMIN', 'STAFF'];
const ADMIN: Role[] = ['PLATFORM_ADMIN', 'CLUB_ADMIN'];

export const NAV: NavItem[] = [
  { label: 'Dashboard', to: '/', icon: IconDashboard },
  { label: 'Members', to: '/members', icon: IconMembers, roles: [...STAFF, 'TRAINER'] },
  {
    label: 'Access',
    to: '/access',
    icon: IconAccess,
    roles: STAFF,
    children: [
      { label: 'Zones', to: '/access/zones' },
      { label: 'Rules', to: '/access/rules' },
      { label: 'Live feed', to: '/access/live' },
      { label: 'BLE readers', to: '/access/ble', roles: ADMIN },
    ],
  },
  { label: 'Bookings', to: '/bookings', icon: IconCalendar },
  { label: 'Courses', to: '/courses', icon: IconCourses },
  { label: 'Analytics', to: '/analytics', icon: IconAnalytics, roles: [...STAFF, 'TRAINER'] },
  { label: 'Devices', to: '/devices', icon: IconDevices, roles: ADMIN },
  { label: 'Integrations', to: '/integrations', icon: IconIntegrations, roles: ADMIN },
  {
    label: 'Settings',
    to: '/settings',
    icon: IconSettings,
    roles: ADMIN,
    children: [
      { label: 'Organisation', to: '/settings/organisation' },
      { label: 'Contract templates', to: '/settings/templates' },
    ],
  },
];

export function visibleNav(role: string | undefined): NavItem[] {
  const sees = (roles?: Role[]) => !roles || roles.includes(role as Role);
  return NAV.filter((n) => sees(n.roles)).map((n) => (n.children ? { ...n, children: n.children.filter((c) => sees(c.roles)) } : n));
}
