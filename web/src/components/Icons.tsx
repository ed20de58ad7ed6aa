// Inline stroke icons (24×24, currentColor) so no icon font or package is needed.
import type { SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement> & { size?: number };

function make(paths: string[], name: string) {
  const Icon = ({ size = 18, ...rest }: IconProps) => (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      {paths.map((d, i) => (
        <path key={i} d={d} />
      ))}
    </svg>
  );
  Icon.displayName = name;
  return Icon;
}

export const IconDashboard = make(['M3 13h8V3H3z', 'M13 21h8V11h-8z', 'M3 21h8v-6H3z', 'M13 3v6h8V3z'], 'IconDashboard');
export const IconMembers = make(
  ['M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2', 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M22 21v-2a4 4 0 0 0-3-3.87', 'M16 3.13a4 4 0 0 1 0 7.75'],
  'IconMembers',
);
export const IconAccess = make(['M4 21V5a2 2 0 0 1 2-2h9l5 5v13', 'M2 21h20', 'M15 3v5h5', 'M11 13h.01'], 'IconAccess');
export const IconCalendar = make(['M8 2v4', 'M16 2v4', 'M3 10h18', 'M5 4h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'], 'IconCalendar');
export const IconCourses = make(['M22 10 12 5 2 10l10 5 10-5z', 'M6 12v5c3 2.5 9 2.5 12 0v-5'], 'IconCourses');
export const IconAnalytics = make(['M3 3v18h18', 'M7 15l4-4 3 3 5-6'], 'IconAnalytics');
export const IconDevices = make(['M5 2h14a1 1 0 0 1 1 1v18a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1z', 'M12 18h.01', 'M9 6h6'], 'IconDevices');
export const IconIntegrations = make(['M9 2v6', 'M15 2v6', 'M6 8h12v4a6 6 0 0 1-12 0z', 'M12 18v4'], 'IconIntegrations');
export const IconSettings = make(
  [
    'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z',
    'M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z',
  ],
  'IconSettings',
);
export const IconMenu = make(['M3 6h18', 'M3 12h18', 'M3 18h18'], 'IconMenu');
export const IconClose = make(['M18 6 6 18', 'M6 6l12 12'], 'IconClose');
export const IconSearch = make(['M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16z', 'M21 21l-4.35-4.35'], 'IconSearch');
export const IconPlus = make(['M12 5v14', 'M5 12h14'], 'IconPlus');
export const IconUpload = make(['M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4', 'M17 8l-5-5-5 5', 'M12 3v12'], 'IconUpload');
export const IconLogout = make(['M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4', 'M16 17l5-5-5-5', 'M21 12H9'], 'IconLogout');
export const IconChevronDown = make(['M6 9l6 6 6-6'], 'IconChevronDown');
export const IconChevronLeft = make(['M15 18l-6-6 6-6'], 'IconChevronLeft');
export const IconChevronRight = make(['M9 18l6-6-6-6'], 'IconChevronRight');
export const IconAlert = make(['M12 9v4', 'M12 17h.01', 'M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z'], 'IconAlert');
export const IconCheck = make(['M20 6 9 17l-5-5'], 'IconCheck');
export const IconEdit = make(['M12 20h9', 'M16.5 3.5a2.1 2.1 0 1 1 3 3L7 19l-4 1 1-4z'], 'IconEdit');
export const IconRefresh = make(['M21 12a9 9 0 1 1-2.64-6.36', 'M21 3v6h-6'], 'IconRefresh');
export const IconFile = make(['M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z', 'M14 2v6h6'], 'IconFile');
export const IconSparkle = make(['M12 3l1.9 5.1L19 10l-5.1 1.9L12 17l-1.9-5.1L5 10l5.1-1.9z', 'M19 17l.7 1.8 1.8.7-1.8.7L19 22l-.7-1.8-1.8-.7 1.8-.7z'], 'IconSparkle');
export const IconUnlock = make(['M5 11h14a2 2 0 0 1 2 2v7a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2z', 'M7 11V7a5 5 0 0 1 9.9-1'], 'IconUnlock');
export const IconKey = make(['M15.5 7.5a3.5 3.5 0 1 1-7 0 3.5 3.5 0 0 1 7 0z', 'M12 11v10', 'M12 16h3', 'M12 19h2'], 'IconKey');
export const IconCopy = make(['M9 9h11v11H9z', 'M5 15H4V4h11v1'], 'IconCopy');
export const IconTrash = make(['M3 6h18', 'M8 6V4h8v2', 'M19 6l-1 14H6L5 6', 'M10 11v6', 'M14 11v6'], 'IconTrash');
export const IconEye = make(['M1 12s4-8 11-8 11 8 11 8-4 8-11 8S1 12 1 12z', 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z'], 'IconEye');
export const IconEyeOff = make(['M17.9 17.9A10.7 10.7 0 0 1 12 20C5 20 1 12 1 12a18.5 18.5 0 0 1 5.1-5.9', 'M9.9 4.2A10 10 0 0 1 12 4c7 0 11 8 11 8a18.6 18.6 0 0 1-2.2 3.2', 'M1 1l22 22', 'M14.1 14.1a3 3 0 1 1-4.2-4.2'], 'IconEyeOff');
export const IconActivity = make(['M22 12h-4l-3 9L9 3l-3 9H2'], 'IconActivity');
export const IconCamera = make(['M23 19a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h4l2-3h6l2 3h4a2 2 0 0 1 2 2z', 'M12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z'], 'IconCamera');
export const IconBackspace = make(['M21 4H8l-7 8 7 8h13a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2z', 'M18 9l-6 6', 'M12 9l6 6'], 'IconBackspace');
export const IconShield = make(['M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z'], 'IconShield');
export const IconHistory = make(['M3 3v5h5', 'M3.05 13A9 9 0 1 0 6 5.3L3 8', 'M12 7v5l4 2'], 'IconHistory');
export const IconRules = make(['M9 6h11', 'M9 12h11', 'M9 18h11', 'M4 6h.01', 'M4 12h.01', 'M4 18h.01'], 'IconRules');
export const IconRepeat = make(['M17 1l4 4-4 4', 'M3 11V9a4 4 0 0 1 4-4h14', 'M7 23l-4-4 4-4', 'M21 13v2a4 4 0 0 1-4 4H3'], 'IconRepeat');
export const IconLink = make(['M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71', 'M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71'], 'IconLink');
