import { describe, expect, it } from 'vitest';
import { daysFrom, mondayOf, segmentsByDay } from './timeline';

describe('availability timeline', () => {
  it('cuts intervals into local days', () => {
    const days = daysFrom('2026-11-23', 2);
    const m = segmentsByDay(
      [
        { start: '2026-11-23T08:00:00Z', end: '2026-11-23T09:30:00Z', kind: 'MEMBER' }, // 09:00–10:30 Berlin
        { start: '2026-11-23T22:00:00Z', end: '2026-11-24T01:00:00Z', kind: 'MAINTENANCE' }, // 23:00–02:00
      ],
      days,
      'Europe/Berlin',
    );
    expect(m.get('2026-11-23')!.map((s) => [s.from, s.to, s.kind])).toEqual([
      [540, 630, 'MEMBER'],
      [1380, 1440, 'MAINTENANCE'],
    ]);
    expect(m.get('2026-11-24')!.map((s) => [s.from, s.to])).toEqual([[0, 120]]);
  });
  it('finds the Monday', () => {
    expect(mondayOf('2026-11-26')).toBe('2026-11-23');
    expect(mondayOf('2026-11-29')).toBe('2026-11-23');
    expect(mondayOf('2026-11-23')).toBe('2026-11-23');
  });
});
