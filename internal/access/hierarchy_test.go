package access

import (
	"strings"
	"testing"
)

func TestCanContain(t *testing.T) {
	yes := [][2]string{{"BUILDING", "FLOOR"}, {"BUILDING", "ROOM"}, {"FLOOR", "AREA"}, {"ROOM", "LOCKER"}, {"ROOM", "AREA"}, {"AREA", "ROOM"}, {"BUILDING", "LOCKER"}}
	no := [][2]string{{"ROOM", "BUILDING"}, {"FLOOR", "FLOOR"}, {"BUILDING", "BUILDING"}, {"LOCKER", "LOCKER"}, {"AREA", "FLOOR"}, {"LOCKER", "ROOM"}, {"ROOM", "CAVE"}}
	for _, c := range yes {
		if !CanContain(c[0], c[1]) {
			t.Errorf("%s cannot hold %s", c[0], c[1])
		}
	}
	for _, c := range no {
		if CanContain(c[0], c[1]) {
			t.Errorf("%s may hold %s", c[0], c[1])
		}
	}
}

func TestCheckHierarchy(t *testing.T) {
	p := func(v int64) *int64 { return &v }
	all := map[int64]zoneNode{
		1: {ID: 1, TypeCd: "BUILDING"},
		2: {ID: 2, TypeCd: "FLOOR", Parent: p(1)},
		3: {ID: 3, TypeCd: "ROOM", Parent: p(2)},
		4: {ID: 4, TypeCd: "AREA", Parent: p(3)},
	}
	cases := []struct {
		id      int64
		typ     string
		parent  *int64
		field   string
		message string
	}{
		{0, "ROOM", p(2), "", ""},
		{0, "BUILDING", p(3), "typeCd", "cannot be inside a ROOM"},
		{0, "ROOM", p(99), "parentZoneId", "no such zone"},
		{3, "ROOM", p(3), "parentZoneId", "own parent"},
		{3, "ROOM", p(4), "parentZoneId", "cycle"},
		{2, "FLOOR", p(4), "typeCd", "cannot be inside"},
		{3, "LOCKER", p(2), "typeCd", "AREA, which a LOCKER cannot hold"},
		{1, "BUILDING", nil, "", ""},
	}
	for _, c := range cases {
		f, m := checkHierarchy(c.id, c.typ, c.parent, all)
		if f != c.field || !strings.Contains(m, c.message) {
			t.Errorf("%d %s under %v: %s %q", c.id, c.typ, c.parent, f, m)
		}
	}
}
