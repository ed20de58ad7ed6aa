// Package demo fills an empty database with a demo club, so every screen has
// something to show. Later features add their data here, through their services,
// so the demo exercises the same code paths as real use.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/member"
)

// ErrNotEmpty says the database already holds an organisation.
var ErrNotEmpty = errors.New("database not empty")

// Login is the demo admin's login.
type Login struct{ Email, Password string }

// The demo logins share one well-known password: the demo club is for trying
// Gatehouse out on your own machine, never for production.
const (
	AdminEmail = "admin@demo.gatehouse.dev"
	Password   = "gatehouse-demo"
	Timezone   = "Europe/Berlin"
)

var firstNames = strings.Fields(`Anna Ben Clara David Emma Felix Greta Hannah Ivan Jana Karl Lena Mia Noah Olga Paul
	Quentin Rosa Sofia Tom Ute Viktor Wilma Xaver Yara Zoe Amir Bea Chen Dilara Elif Finn Giulia Hugo Ines Jonas Kai
	Luca Maya Nils Oskar Pia Rafael Selin Theo Uma Vera William Yusuf Zeynep`)

var lastNames = strings.Fields(`Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter
	Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Krause Meier Lehmann
	Özdemir Nowak Rossi García Kowalski Yılmaz Nguyen Silva Jensen Novak`)

// Seed creates the demo club in an empty database and returns the admin login.
func Seed(ctx context.Context, a *app.App) (*Login, error) {
	var n int
	if err := a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM entities`).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrNotEmpty
	}
	ent, admin, err := a.Auth.Init(ctx, "Harbour Fitness & Cowork", Timezone, AdminEmail, Password)
	if err != nil {
		return nil, err
	}
	loc, _ := clock.Location(Timezone)
	sc := member.Scope{EntityID: ent.ID, Location: loc}
	p := &auth.Principal{Role: auth.PlatformAdmin, EntityID: ent.ID, UserID: admin.ID, Location: loc}

	tiers := []member.NewTemplate{
		{Name: "Day Pass", TierCd: "DAY", TierRank: 0},
		{Name: "Student", TierCd: "STUDENT", TierRank: 5},
		{Name: "Basic", TierCd: "BASIC", TierRank: 10},
		{Name: "Premium", TierCd: "PREMIUM", TierRank: 20},
		{Name: "Coworking Resident", TierCd: "RESIDENT", TierRank: 30},
	}
	var templates []*member.Template
	for _, t := range tiers {
		tpl, err := a.Members.CreateTemplate(ctx, sc, t)
		if err != nil {
			return nil, err
		}
		templates = append(templates, tpl)
	}

	rng := rand.New(rand.NewPCG(2026, 11)) // the same club every time
	today := clock.Today(a.Clock.Now(), loc)
	var members []*member.Member
	for i := range 200 {
		fn, ln := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		email := fmt.Sprintf("%s.%s.%d@example.com", asciiFold(fn), asciiFold(ln), i+1)
		phone := fmt.Sprintf("+49 151 %07d", rng.IntN(10_000_000))
		m, err := a.Members.Create(ctx, sc, member.Fields{FirstName: fn, LastName: ln, Email: email, Phone: &phone})
		if err != nil {
			return nil, err
		}
		members = append(members, m)
		// Most members hold a running contract; some expired, a few are suspended
		// or cancelled, and some start next month.
		tpl := templates[1+rng.IntN(len(templates)-1)]
		start := today.AddDays(-rng.IntN(700))
		in := member.ContractInput{TemplateID: tpl.ID, StartDate: start, StatusCd: member.StatusActive}
		switch r := rng.IntN(100); {
		case r < 70:
			end := start.AddDays(365 + rng.IntN(730))
			if end.Before(today) {
				end = today.AddDays(30 + rng.IntN(300))
			}
			in.EndDate = &end
		case r < 82:
			end := today.AddDays(-1 - rng.IntN(120))
			if end.Before(start) {
				start = end.AddDays(-90)
				in.StartDate = start
			}
			in.EndDate = &end
		case r < 88:
			in.StatusCd = member.StatusSuspended
		case r < 94:
			in.StatusCd = member.StatusCancelled
		default:
			in.StartDate = today.AddDays(7 + rng.IntN(30))
		}
		if _, err := a.Members.CreateContract(ctx, sc, m.ID, in); err != nil {
			return nil, err
		}
	}

	for _, u := range []struct {
		email string
		role  auth.Role
		mem   *int64
	}{
		{"manager@demo.gatehouse.dev", auth.ClubAdmin, nil},
		{"desk@demo.gatehouse.dev", auth.Staff, nil},
		{"trainer@demo.gatehouse.dev", auth.Trainer, nil},
		{"member@demo.gatehouse.dev", auth.Member, &members[0].ID},
	} {
		if _, err := a.Auth.CreateUser(ctx, p, auth.NewUser{Email: u.email, Password: Password, Role: u.role, MemberID: u.mem}); err != nil {
			return nil, err
		}
	}
	if err := seedAccess(ctx, a, p, sc, members, templates, rng); err != nil {
		return nil, fmt.Errorf("access: %w", err)
	}
	if err := seedBookings(ctx, a, p, members, rng); err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	if err := seedCourses(ctx, a, p, rng); err != nil {
		return nil, fmt.Errorf("courses: %w", err)
	}
	return &Login{Email: AdminEmail, Password: Password}, nil
}

// asciiFold makes a name usable in an example e-mail address.
func asciiFold(s string) string {
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "ı", "i", "ç", "c", "ş", "s", "ğ", "g", "Ö", "Oe", "Ü", "Ue", "Ä", "Ae")
	return strings.ToLower(r.Replace(s))
}
