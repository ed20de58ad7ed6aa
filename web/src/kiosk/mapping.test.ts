import { describe, expect, it } from 'vitest';
import type { CheckIn } from '../api/types';
import { checkinRequest, describeCheckIn, normaliseInput, validateInput } from './mapping';

describe('kiosk input mapping', () => {
  it('a scanned QR becomes a QR_CODE credential', () => {
    expect(checkinRequest({ kind: 'qr', value: '  tok.abc.123 ' }, { zoneId: 3, eventId: 'e-1' })).toEqual({
      zoneId: 3,
      directionCd: 'IN',
      eventId: 'e-1',
      methodCd: 'QR',
      credential: { typeCd: 'QR_CODE', identifier: 'tok.abc.123' },
    });
  });

  it('a typed member number is a manual lookup by memberNumber', () => {
    expect(checkinRequest({ kind: 'memberNumber', value: ' M000 123 ' })).toEqual({
      directionCd: 'IN',
      methodCd: 'MANUAL',
      memberNumber: 'M000123',
    });
  });

  it('a typed card number is an NFC_CARD credential', () => {
    const body = checkinRequest({ kind: 'card', value: '0400 1234' }, { zoneId: null });
    expect('zoneId' in body).toBe(false); // never null: absent means the main entrance
    expect(body.credential).toEqual({ typeCd: 'NFC_CARD', identifier: '04001234' });
    expect(body.methodCd).toBe('CARD');
    expect(body.memberNumber).toBeUndefined();
    expect(body.eventId).toBeUndefined();
  });

  it('keeps QR payloads exactly (no space removal inside)', () => {
    expect(normaliseInput({ kind: 'qr', value: 'a b' }).value).toBe('a b');
  });

  it('validates input before sending', () => {
    expect(validateInput({ kind: 'memberNumber', value: '  ' })).toBe('Type a number first');
    expect(validateInput({ kind: 'card', value: '1' })).toMatch(/too short/);
    expect(validateInput({ kind: 'qr', value: '' })).toMatch(/could not be read/);
    expect(validateInput({ kind: 'qr', value: 'x'.repeat(300) })).toMatch(/too long/);
    expect(validateInput({ kind: 'memberNumber', value: '1042' })).toBeNull();
  });
});

describe('describeCheckIn', () => {
  const base: CheckIn = { id: 1, methodCd: 'QR', statusCd: 'GRANTED', checkedInAt: '2026-01-01T00:00:00Z' };
  it('granted: welcome with the name', () => {
    expect(describeCheckIn({ ...base, memberName: 'Ada Lovelace' })).toEqual({ granted: true, headline: 'Welcome', name: 'Ada Lovelace', reason: null });
    expect(describeCheckIn({ ...base, member: { id: 1, firstName: 'Ada', lastName: 'L' } }).name).toBe('Ada L');
  });
  it('denied: the server reason first, then the code, then a default', () => {
    expect(describeCheckIn({ ...base, statusCd: 'DENIED', denialCode: 'ZONE_FULL', denialReason: 'Sauna is full (12/12)' }).reason).toBe('Sauna is full (12/12)');
    expect(describeCheckIn({ ...base, statusCd: 'DENIED', denialCode: 'CONTRACT_INACTIVE' }).reason).toBe('No active membership');
    expect(describeCheckIn({ ...base, statusCd: 'DENIED' }).reason).toBe('Access denied');
    expect(describeCheckIn({ ...base, statusCd: 'DENIED' }).granted).toBe(false);
  });
});
