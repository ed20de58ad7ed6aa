import { describe, expect, it } from 'vitest';
import { formatRange, fromWall, isoUtc, safeZone, toWall, wallDate, wallFrom, wallTime } from './tz';

const BERLIN = 'Europe/Berlin';

describe('wall clock in the organisation zone', () => {
  it('converts instants to Berlin wall clock across DST', () => {
    expect(toWall('2026-03-28T06:00:00Z', BERLIN).toISOString()).toBe('2026-03-28T07:00:00.000Z');
    expect(toWall('2026-03-30T05:00:00Z', BERLIN).toISOString()).toBe('2026-03-30T07:00:00.000Z');
  });
  it('round-trips', () => {
    for (const iso of ['2026-01-15T09:30:00Z', '2026-07-01T22:15:00Z', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z']) {
      const w = toWall(iso, BERLIN);
      if (iso === '2026-10-25T01:30:00Z') continue; // 02:30 happens twice: the earlier wins
      expect(isoUtc(fromWall(w, BERLIN))).toBe(iso.replace('.000', ''));
    }
  });
  it('chooses the earlier instant in the autumn overlap and moves forward in the spring gap', () => {
    expect(isoUtc(fromWall(wallFrom('2026-10-25', '02:30'), BERLIN))).toBe('2026-10-25T00:30:00Z');
    expect(isoUtc(fromWall(wallFrom('2026-03-29', '02:30'), BERLIN))).toBe('2026-03-29T01:30:00Z');
  });
  it('works in New York and UTC', () => {
    expect(isoUtc(fromWall(wallFrom('2026-06-01', '07:00'), 'America/New_York'))).toBe('2026-06-01T11:00:00Z');
    expect(isoUtc(fromWall(wallFrom('2026-06-01', '07:00'), 'UTC'))).toBe('2026-06-01T07:00:00Z');
  });
  it('helpers', () => {
    const w = toWall('2026-11-23T09:00:00Z', BERLIN);
    expect(wallDate(w)).toBe('2026-11-23');
    expect(wallTime(w)).toBe('10:00');
    expect(formatRange('2026-11-23T09:00:00Z', '2026-11-23T10:30:00Z', BERLIN)).toBe('Mon 23 Nov, 10:00–11:30');
    expect(safeZone('Not/AZone')).toBe('UTC');
    expect(safeZone(undefined)).toBe('UTC');
  });
});
