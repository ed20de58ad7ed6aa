// A small cache of member look-ups by id, shared by the live feed, the rules
// editor and the check-in views (the CheckIn carries only memberId).
import { useEffect, useState } from 'react';
import { api } from './api/endpoints';
import type { Member } from './api/types';

const cache = new Map<number, Promise<Member | null>>();

export function fetchMember(id: number): Promise<Member | null> {
  let p = cache.get(id);
  if (!p) {
    p = api.getMember(id).catch(() => null);
    cache.set(id, p);
  }
  return p;
}

/** Members for the given ids, filled in as they arrive. */
export function useMembers(ids: readonly (number | null | undefined)[]): Map<number, Member | null> {
  const [map, setMap] = useState<Map<number, Member | null>>(new Map());
  const key = [...new Set(ids.filter((x): x is number => typeof x === 'number'))].sort((a, b) => a - b).join(',');
  useEffect(() => {
    let live = true;
    const wanted = key ? key.split(',').map(Number) : [];
    const missing = wanted.filter((id) => !map.has(id));
    if (!missing.length) return;
    void Promise.all(missing.map(async (id) => [id, await fetchMember(id)] as const)).then((pairs) => {
      if (!live) return;
      setMap((m) => {
        const next = new Map(m);
        for (const [id, mem] of pairs) next.set(id, mem);
        return next;
      });
    });
    return () => {
      live = false;
    };
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps
  return map;
}

/** Remember a member we already have (e.g. from a search). */
export function primeMember(m: Member): void {
  cache.set(m.id, Promise.resolve(m));
}
