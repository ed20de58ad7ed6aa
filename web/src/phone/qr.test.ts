import { describe, expect, it } from 'vitest';
import { msUntil } from './qr';

describe('msUntil', () => {
  it('waits until just after the rotation', () => {
    expect(msUntil('2026-11-21T11:00:30Z', Date.parse('2026-11-21T11:00:10Z'))).toBe(20_250);
  });
  it('never schedules in the past or on garbage', () => {
    expect(msUntil('2026-11-21T11:00:30Z', Date.parse('2026-11-21T12:00:00Z'))).toBe(1000);
    expect(msUntil('nonsense')).toBe(5000);
  });
});
