// How the kiosk turns what it reads into a POST /api/checkin body, and how it
// words the answer. Kept in this one small module so the mapping is easy to
// adjust to the backend (docs/access-control.md).
import type { CheckIn, CheckInRequest, DenialCode } from '../api/types';

export type KioskInputKind = 'qr' | 'memberNumber' | 'card';

export interface KioskInput {
  kind: KioskInputKind;
  value: string;
}

/** What the typed-number keypad can be switched to. */
export const TYPED_KINDS: { kind: Exclude<KioskInputKind, 'qr'>; label: string; hint: string }[] = [
  { kind: 'memberNumber', label: 'Member number', hint: 'Type your member number (digits)' },
  { kind: 'card', label: 'Card number', hint: 'Type the number printed on your card' },
];

/** Trims a scanned payload; typed numbers also lose inner spaces ("1234 5678"). */
export function normaliseInput(input: KioskInput): KioskInput {
  const raw = input.value.trim();
  if (input.kind === 'qr') return { kind: 'qr', value: raw };
  return { kind: input.kind, value: raw.replace(/\s+/g, '') };
}

/** A message for input the kiosk will not send, or null when it is fine. */
export function validateInput(input: KioskInput): string | null {
  const { kind, value } = normaliseInput(input);
  if (!value) return kind === 'qr' ? 'The code could not be read' : 'Type a number first';
  if (value.length > 255) return 'That is too long';
  if (kind !== 'qr' && value.length < 2) return 'That number is too short';
  return null;
}

/**
 * The check-in request for an input: a scanned QR is a QR_CODE credential (the
 * member pass token, API.md "Phone credentials"); a typed member number is a
 * lookup by `memberNumber` (the server matches digits alone to the generated
 * form: 123 → M000123); a typed card number is an NFC_CARD credential (the
 * server's fallback chain then tries the other card and token types).
 */
export function checkinRequest(
  input: KioskInput,
  opts: { zoneId?: number | null; eventId?: string } = {},
): CheckInRequest {
  const { kind, value } = normaliseInput(input);
  // No zoneId = the main entrance, or the zone the kiosk device is bound to.
  const base: Pick<CheckInRequest, 'zoneId' | 'directionCd' | 'eventId'> = {
    ...(opts.zoneId != null ? { zoneId: opts.zoneId } : {}),
    directionCd: 'IN',
    ...(opts.eventId ? { eventId: opts.eventId } : {}),
  };
  switch (kind) {
    case 'qr':
      return { ...base, methodCd: 'QR', credential: { typeCd: 'QR_CODE', identifier: value } };
    case 'card':
      return { ...base, methodCd: 'CARD', credential: { typeCd: 'NFC_CARD', identifier: value } };
    case 'memberNumber':
      return { ...base, methodCd: 'MANUAL', memberNumber: value };
  }
}

const DENIAL_TEXT: Record<DenialCode, string> = {
  CONTRACT_INACTIVE: 'No active membership',
  TIER_TOO_LOW: 'Your membership does not include this area',
  RULE_FAILED: 'Access is not allowed right now',
  ANTI_PASSBACK: 'You are already checked in',
  ZONE_FULL: 'This area is full right now',
  ZONE_INACTIVE: 'This entrance is closed',
  CREDENTIAL_INVALID: 'This card or code is not valid',
  UNKNOWN_CREDENTIAL: 'Card or code not recognised',
};

export interface KioskResult {
  granted: boolean;
  headline: string;
  name: string | null;
  reason: string | null;
}

/** The member's name as far as the answer tells it. */
export function checkInMemberName(c: Pick<CheckIn, 'memberName' | 'member'>): string | null {
  if (c.memberName) return c.memberName;
  if (c.member) return `${c.member.firstName} ${c.member.lastName}`.trim() || null;
  return null;
}

/** How the kiosk shows a decision: headline, member, and a human reason. */
export function describeCheckIn(c: CheckIn): KioskResult {
  const granted = c.statusCd === 'GRANTED';
  const name = checkInMemberName(c);
  if (granted) return { granted, headline: 'Welcome', name, reason: null };
  const code = (c.denialCode ?? '') as DenialCode;
  // The server's sentence names the failing rule; the code's wording is the fallback.
  const reason = c.denialReason?.trim() || DENIAL_TEXT[code] || 'Access denied';
  return { granted, headline: 'Access denied', name, reason };
}

/** A short label for a denial code (live feed, history). */
export function denialLabel(code: string | null | undefined): string {
  return (code && DENIAL_TEXT[code as DenialCode]) || (code ?? '');
}
