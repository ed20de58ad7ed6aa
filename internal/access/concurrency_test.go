package access_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/member"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func contractInput(template int64) member.ContractInput {
	start, _ := clock.ParseDate("2026-01-01")
	return member.ContractInput{TemplateID: template, StartDate: start}
}

// manyCards creates n members with a basic contract and a card each, through the
// services (faster than HTTP, same code paths).
func (c *club) manyCards(n int) []string {
	c.t.Helper()
	cards := make([]string, n)
	for i := range cards {
		cards[i] = c.card(c.member(c.basic))
	}
	return cards
}

// tapAll taps every card at once at zone, spread over the given app instances
// (all sharing one database), and returns the responses.
func tapAll(t *testing.T, clubs []*club, zone int64, cards []string) []map[string]any {
	t.Helper()
	results := make([]map[string]any, len(cards))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, card := range cards {
		c := clubs[i%len(clubs)]
		wg.Go(func() {
			<-start
			r := c.h.Post("/api/checkin", c.o.Device, map[string]any{"zoneId": zone, "methodCd": "NFC",
				"credential": map[string]any{"typeCd": "NFC_CARD", "identifier": card}})
			if r.Status != 200 {
				t.Errorf("tap %d: %d %s", i, r.Status, r.Body)
				return
			}
			results[i] = r.Map()
		})
	}
	close(start)
	wg.Wait()
	return results
}

func checkOutcome(t *testing.T, c *club, zone int64, results []map[string]any, granted int, denied map[string]int) {
	t.Helper()
	got := map[string]int{}
	for _, r := range results {
		if r == nil {
			continue
		}
		if r["statusCd"] == "GRANTED" {
			got["GRANTED"]++
		} else {
			got[code(r)]++
		}
	}
	want := map[string]int{"GRANTED": granted}
	for k, v := range denied {
		want[k] = v
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("outcomes %v, want %v", got, want)
	}
	var occ, open, rows int
	ctx := context.Background()
	// As the API reports it: the counter of a limited zone, the open
	// check-ins of an unlimited one.
	occ = c.occupancy(zone)
	_ = c.h.App.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM check_ins WHERE zone_id = $1 AND status_cd = 'GRANTED' AND checked_out_at IS NULL`, zone).Scan(&open)
	_ = c.h.App.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM check_ins WHERE zone_id = $1`, zone).Scan(&rows)
	if occ != granted || open != granted || rows != len(results) {
		t.Fatalf("occupancy %d, open check-ins %d, rows %d; want %d, %d, %d", occ, open, rows, granted, granted, len(results))
	}
}

// Two app instances with their own connection pools on one PostgreSQL schema:
// what two `gatehouse serve` replicas behind a load balancer are.
func twoInstances(t *testing.T) (*club, *club) {
	t.Helper()
	dsn := storetest.PostgresDSN(t)
	open := func() *store.DB {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	h1, h2 := apptest.New(t, open()), apptest.New(t, open())
	c1 := newClubOn(t, h1, h1.NewOrg("Club"))
	c2 := &club{t: t, h: h2, o: c1.o, basic: c1.basic, premium: c1.premium, building: c1.building, floor: c1.floor, gym: c1.gym, sauna: c1.sauna, sc: c1.sc}
	return c1, c2
}

func TestConcurrentCheckInsAcrossTwoInstances(t *testing.T) {
	t.Parallel()
	c1, c2 := twoInstances(t)
	zone := c1.zone(map[string]any{"name": "Spin studio", "typeCd": "ROOM", "parentZoneId": c1.floor, "maxOccupancy": 10})
	cards := c1.manyCards(200)
	results := tapAll(t, []*club{c1, c2}, zone, cards)
	checkOutcome(t, c1, zone, results, 10, map[string]int{"ZONE_FULL": 190})

	card := c1.card(c1.member(c1.basic))
	same := make([]string, 20)
	for i := range same {
		same[i] = card
	}
	results = tapAll(t, []*club{c1, c2}, c1.floor, same)
	checkOutcome(t, c1, c1.floor, results, 1, map[string]int{"ANTI_PASSBACK": 19})
}
