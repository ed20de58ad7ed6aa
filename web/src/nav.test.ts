import { describe, expect, it } from 'vitest';
import { visibleNav } from './nav';

const access = (role: string) => visibleNav(role).find((n) => n.to === '/access')?.children?.map((c) => c.to) ?? [];

describe('visibleNav', () => {
  it('shows the BLE readers page only to administrators (its endpoints need CLUB_ADMIN)', () => {
    expect(access('CLUB_ADMIN')).toContain('/access/ble');
    expect(access('STAFF')).toEqual(['/access/zones', '/access/rules', '/access/live']);
  });
  it('hides the Access entry from members', () => {
    expect(visibleNav('MEMBER').some((n) => n.to === '/access')).toBe(false);
  });
});
