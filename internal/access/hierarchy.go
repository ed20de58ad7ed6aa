package access

import "fmt"

// ZoneTypes lists the zone types, outermost first.
var ZoneTypes = []string{ZoneBuilding, ZoneFloor, ZoneRoom, ZoneArea, ZoneLocker}

var typeLevel = map[string]int{ZoneBuilding: 0, ZoneFloor: 1, ZoneRoom: 2, ZoneArea: 2, ZoneLocker: 3}

// CanContain reports whether a zone of type parent may hold one of type child:
// BUILDING > FLOOR > ROOM/AREA > LOCKER, each only inside a larger kind — except
// that rooms and areas may nest in each other (a stretching area inside the gym
// room, a sauna cabin inside the wellness area).
func CanContain(parent, child string) bool {
	p, ok1 := typeLevel[parent]
	c, ok2 := typeLevel[child]
	if !ok1 || !ok2 {
		return false
	}
	return c > p || c == p && p == typeLevel[ZoneRoom]
}

// zoneNode is what hierarchy validation needs of a zone.
type zoneNode struct {
	ID     int64
	TypeCd string
	Parent *int64
}

// checkHierarchy validates placing zone id (0 for a new zone) of type typeCd under
// parent, given all zones of the organisation. It returns a message for the
// field at fault, or "".
func checkHierarchy(id int64, typeCd string, parent *int64, all map[int64]zoneNode) (field, msg string) {
	if parent != nil {
		p, ok := all[*parent]
		if !ok {
			return "parentZoneId", "no such zone in this organisation"
		}
		if *parent == id {
			return "parentZoneId", "a zone cannot be its own parent"
		}
		if !CanContain(p.TypeCd, typeCd) {
			return "typeCd", fmt.Sprintf("a %s cannot be inside a %s (BUILDING > FLOOR > ROOM/AREA > LOCKER)", typeCd, p.TypeCd)
		}
		// Walk up from the new parent: meeting the zone itself means a cycle.
		seen := map[int64]bool{}
		for cur := p; ; {
			if cur.ID == id && id != 0 {
				return "parentZoneId", "this parent is inside the zone itself (a cycle)"
			}
			if cur.Parent == nil || seen[cur.ID] {
				break
			}
			seen[cur.ID] = true
			next, ok := all[*cur.Parent]
			if !ok {
				break
			}
			cur = next
		}
	}
	if id != 0 {
		for _, c := range all {
			if c.Parent != nil && *c.Parent == id && !CanContain(typeCd, c.TypeCd) {
				return "typeCd", fmt.Sprintf("zone %d inside it is a %s, which a %s cannot hold", c.ID, c.TypeCd, typeCd)
			}
		}
	}
	return "", ""
}
