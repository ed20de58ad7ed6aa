import { describe, expect, it } from 'vitest';
import { bookingKind, KIND_STYLES, kindStyle, LEGEND } from './colours';

describe('booking colours', () => {
  it('maps booked-for types and availability kinds', () => {
    expect(bookingKind('COURSE')).toBe('COURSE');
    expect(bookingKind('EVENT')).toBe('EVENT');
    expect(bookingKind('MAINTENANCE')).toBe('MAINTENANCE');
    expect(bookingKind('MEMBER')).toBe('MEMBER');
    expect(bookingKind('BOOKING')).toBe('MEMBER');
    expect(bookingKind('course')).toBe('COURSE');
    expect(bookingKind(undefined)).toBe('OTHER');
    expect(bookingKind('SOMETHING_NEW')).toBe('OTHER');
  });
  it('uses blue for courses, green for events, grey for maintenance, its own colour for members', () => {
    expect(kindStyle('COURSE').border).toBe('#2563eb');
    expect(kindStyle('EVENT').border).toBe('#16a34a');
    expect(kindStyle('MAINTENANCE').border).toBe('#6b7280');
    const others = [kindStyle('COURSE'), kindStyle('EVENT'), kindStyle('MAINTENANCE')].map((s) => s.border);
    expect(others).not.toContain(kindStyle('MEMBER').border);
  });
  it('gives every kind a distinct class and colour, and a legend entry for the four main kinds', () => {
    const all = Object.values(KIND_STYLES);
    expect(new Set(all.map((s) => s.className)).size).toBe(all.length);
    expect(new Set(all.map((s) => s.background)).size).toBe(all.length);
    expect(LEGEND.map((s) => s.kind)).toEqual(['MEMBER', 'COURSE', 'EVENT', 'MAINTENANCE']);
  });
});
