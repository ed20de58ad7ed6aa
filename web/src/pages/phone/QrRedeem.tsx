// /q/{token}: what a member's phone opens after scanning a door's QR code.
// The member is signed in (the app sends them to /login?next=… first); the
// page redeems the code once and shows the door's answer in big type.
import { useEffect, useState } from 'react';
import { api } from '../../api/endpoints';
import { ApiError, NetworkError } from '../../api/problem';
import type { CheckIn } from '../../api/types';
import { IconAlert, IconCheck } from '../../components/Icons';
import { useTitle } from '../../hooks';
import './phone.css';

type Outcome = { kind: 'granted'; ci: CheckIn } | { kind: 'denied'; title: string; reason: string };

// One redemption per token and page load, even when React runs effects twice.
const inflight = new Map<string, Promise<Outcome>>();

async function redeem(token: string): Promise<Outcome> {
  try {
    const ci = await api.redeemQrDoor(token);
    if (ci.statusCd === 'GRANTED') return { kind: 'granted', ci };
    return { kind: 'denied', title: 'Access denied', reason: ci.denialReason ?? 'Access denied' };
  } catch (err) {
    if (err instanceof ApiError && err.status === 409)
      return { kind: 'denied', title: 'Code already used', reason: 'You have already used this code. Scan the code on the door display again.' };
    if (err instanceof ApiError && err.status === 422)
      return { kind: 'denied', title: 'Code expired', reason: 'This code has expired or is not valid. Scan the code the door display shows now.' };
    if (err instanceof NetworkError) return { kind: 'denied', title: 'No connection', reason: 'Check your connection and scan again.' };
    return { kind: 'denied', title: 'Could not open the door', reason: (err as Error).message };
  }
}

export function QrRedeemPage({ token }: { token: string }) {
  useTitle('Door');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  useEffect(() => {
    let p = inflight.get(token);
    if (!p) {
      p = redeem(token);
      inflight.set(token, p);
    }
    let live = true;
    void p.then((o) => live && setOutcome(o));
    return () => {
      live = false;
    };
  }, [token]);

  if (!outcome)
    return (
      <div className="qr-result" data-testid="qr-result" data-state="pending">
        <p className="qr-result-title">Opening…</p>
      </div>
    );
  if (outcome.kind === 'granted')
    return (
      <div className="qr-result qr-result-granted" data-testid="qr-result" data-state="granted" role="status">
        <IconCheck />
        <p className="qr-result-title">Door open</p>
        <p className="qr-result-reason">
          Welcome{outcome.ci.memberName ? `, ${outcome.ci.memberName}` : ''}
          {outcome.ci.zoneName ? ` — ${outcome.ci.zoneName}` : ''}. The door stays open for 5 seconds.
        </p>
      </div>
    );
  return (
    <div className="qr-result qr-result-denied" data-testid="qr-result" data-state="denied" role="alert">
      <IconAlert />
      <p className="qr-result-title">{outcome.title}</p>
      <p className="qr-result-reason" data-testid="qr-reason">
        {outcome.reason}
      </p>
    </div>
  );
}
