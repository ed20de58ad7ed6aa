// Zone tree helpers (GET /api/access/zones answers the tree: zones with children).
import type { Zone, ZoneType } from './api/types';

export const ZONE_TYPE_LABEL: Record<ZoneType, string> = {
  BUILDING: 'Building',
  FLOOR: 'Floor',
  ROOM: 'Room',
  AREA: 'Area',
  LOCKER: 'Locker',
};

export interface FlatZone {
  zone: Zone;
  depth: number;
  /** Names from the root down to this zone. */
  path: string[];
  /** Ids of the ancestors, root first. */
  ancestors: number[];
}

/** Depth-first, in the server's order (children after their parent). */
export function flattenZones(tree: readonly Zone[] | null | undefined): FlatZone[] {
  const out: FlatZone[] = [];
  const walk = (zones: readonly Zone[], depth: number, path: string[], ancestors: number[]) => {
    for (const z of zones) {
      out.push({ zone: z, depth, path: [...path, z.name], ancestors });
      if (z.children?.length) walk(z.children, depth + 1, [...path, z.name], [...ancestors, z.id]);
    }
  };
  walk(tree ?? [], 0, [], []);
  return out;
}

/** The ids of a zone and everything below it (cannot be its new parent). */
export function subtreeIds(tree: readonly Zone[], id: number): Set<number> {
  const ids = new Set<number>();
  const flat = flattenZones(tree);
  for (const f of flat) if (f.zone.id === id || f.ancestors.includes(id)) ids.add(f.zone.id);
  return ids;
}

/** Occupancy as a share of the maximum, 0–1, or null when the zone is unlimited. */
export function occupancyRatio(current: number | undefined | null, max: number | undefined | null): number | null {
  if (!max || max <= 0) return null;
  return Math.max(0, (current ?? 0) / max);
}

export function occupancyTone(ratio: number | null): 'ok' | 'busy' | 'full' {
  if (ratio === null) return 'ok';
  if (ratio >= 1) return 'full';
  if (ratio >= 0.8) return 'busy';
  return 'ok';
}

export function zoneLabel(f: FlatZone): string {
  return f.path.join(' › ');
}
