// THE mapping from what a booking is for to how the calendar shows it.
// Calendar events, the legend and the availability timeline all read from here.

export type BookingKind = 'COURSE' | 'EVENT' | 'MAINTENANCE' | 'MEMBER' | 'OTHER';

export interface KindStyle {
  kind: BookingKind;
  label: string;
  /** Event fill, border and text (WCAG AA on the fill). */
  background: string;
  border: string;
  text: string;
  /** CSS class suffix: `kind-course`, … */
  className: string;
}

export const KIND_STYLES: Record<BookingKind, KindStyle> = {
  COURSE: { kind: 'COURSE', label: 'Course', background: '#dbeafe', border: '#2563eb', text: '#1e3a8a', className: 'kind-course' },
  EVENT: { kind: 'EVENT', label: 'Event', background: '#dcfce7', border: '#16a34a', text: '#14532d', className: 'kind-event' },
  MAINTENANCE: { kind: 'MAINTENANCE', label: 'Maintenance', background: '#e5e7eb', border: '#6b7280', text: '#1f2937', className: 'kind-maintenance' },
  MEMBER: { kind: 'MEMBER', label: 'Member booking', background: '#f3e8ff', border: '#9333ea', text: '#581c87', className: 'kind-member' },
  OTHER: { kind: 'OTHER', label: 'Other', background: '#fef3c7', border: '#d97706', text: '#78350f', className: 'kind-other' },
};

/** The legend, in display order. */
export const LEGEND: KindStyle[] = [KIND_STYLES.MEMBER, KIND_STYLES.COURSE, KIND_STYLES.EVENT, KIND_STYLES.MAINTENANCE];

/**
 * The kind of a booking occurrence (`bookedForType`) or of an availability busy
 * interval (`kind`: BOOKING is a member's or an event's booking the server does not
 * tell apart; it is shown as a member booking).
 */
export function bookingKind(type: string | null | undefined): BookingKind {
  switch ((type ?? '').toUpperCase()) {
    case 'COURSE':
      return 'COURSE';
    case 'EVENT':
      return 'EVENT';
    case 'MAINTENANCE':
      return 'MAINTENANCE';
    case 'MEMBER':
    case 'BOOKING':
      return 'MEMBER';
    default:
      return 'OTHER';
  }
}

export function kindStyle(type: string | null | undefined): KindStyle {
  return KIND_STYLES[bookingKind(type)];
}
