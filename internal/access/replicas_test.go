package access_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/access"
	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/member"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// Two `gatehouse serve` processes on one PostgreSQL schema, 200 taps at a zone
// for 10 spread over both: exactly 10 get in. The binary is built by the test;
// it skips with a line saying why when PostgreSQL is absent or the build is slow.
func TestTwoServeProcessesShareTheOccupancyLimit(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresDSN(t)

	// Seed through the services, on the same database the processes will use.
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := app.New(app.Config{DB: db, Hash: auth.TestHashParams})
	if err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	ent, _, err := a.Auth.Init(bg, "Replica Club", "Europe/Berlin", "owner@replica.test", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	sc := member.Scope{EntityID: ent.ID, Location: loc}
	tpl, err := a.Members.CreateTemplate(bg, sc, member.NewTemplate{Name: "Basic", TierCd: "BASIC", TierRank: 1})
	if err != nil {
		t.Fatal(err)
	}
	ten := 10
	zone, err := a.Access.CreateZone(bg, sc, access.ZoneInput{Name: "Spin", TypeCd: "ROOM", MaxOccupancy: &ten})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := a.Auth.CreateDevice(bg, ent.ID, "Door", auth.Reader, &zone.ID)
	if err != nil {
		t.Fatal(err)
	}
	var cards []string
	for i := range 200 {
		m, err := a.Members.Create(bg, sc, member.Fields{FirstName: "R", LastName: fmt.Sprint(i), Email: fmt.Sprintf("r%d@replica.test", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Members.CreateContract(bg, sc, m.ID, contractInput(tpl.ID)); err != nil {
			t.Fatal(err)
		}
		card := fmt.Sprintf("AB%06d", i)
		if _, err := a.Access.CreateCredential(bg, sc, access.NewCredential{MemberID: m.ID, TypeCd: "NFC_CARD", Identifier: card}); err != nil {
			t.Fatal(err)
		}
		cards = append(cards, card)
	}

	urls := apptest.ServeProcesses(t, dsn, 2)
	type res struct {
		status int
		body   string
	}
	out := make(chan res, len(cards))
	start := make(chan struct{})
	for i, card := range cards {
		go func() {
			<-start
			body := fmt.Sprintf(`{"methodCd":"NFC","credential":{"typeCd":"NFC_CARD","identifier":%q}}`, card)
			req, _ := http.NewRequest("POST", urls[i%2]+"/api/checkin", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+dev.APIKey)
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				out <- res{0, err.Error()}
				return
			}
			var sb strings.Builder
			sc := bufio.NewScanner(r.Body)
			for sc.Scan() {
				sb.WriteString(sc.Text())
			}
			r.Body.Close()
			out <- res{r.StatusCode, sb.String()}
		}()
	}
	close(start)
	granted, full := 0, 0
	for range cards {
		r := <-out
		switch {
		case r.status != 200:
			t.Errorf("tap: %d %s", r.status, r.body)
		case strings.Contains(r.body, `"statusCd":"GRANTED"`):
			granted++
		case strings.Contains(r.body, `"denialCode":"ZONE_FULL"`):
			full++
		default:
			t.Errorf("unexpected: %s", r.body)
		}
	}
	var occ int
	_ = db.QueryRowContext(bg, `SELECT current_occupancy FROM access_zones WHERE id = $1`, zone.ID).Scan(&occ)
	if granted != 10 || full != 190 || occ != 10 {
		t.Fatalf("two processes: %d granted, %d full, occupancy %d", granted, full, occ)
	}
}
