// Shared wording for check-ins (live feed, member history).

export const METHOD_LABEL: Record<string, string> = {
  QR: 'QR code',
  NFC: 'NFC card',
  BLE: 'Bluetooth',
  MANUAL: 'Manual',
  CARD: 'Card',
  PIN: 'PIN',
};

/** HH:MM:SS in the organisation's time zone. */
export function formatTime(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone });
  } catch {
    return d.toLocaleTimeString('en-GB');
  }
}
