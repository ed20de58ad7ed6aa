// Package app wires the features together: one place builds the services, the
// HTTP handler and the background workers, for `gatehouse serve` and for tests.
package app

import (
	"context"
	"net/http"
	"sync"

	"github.com/gatehouse/gatehouse/internal/access"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/booking"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/course"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/gantnerhost"
	"github.com/gatehouse/gatehouse/internal/hal"
	_ "github.com/gatehouse/gatehouse/internal/hal/brivo"    // registers the BRIVO vendor
	_ "github.com/gatehouse/gatehouse/internal/hal/exivo"    // registers the EXIVO vendor
	"github.com/gatehouse/gatehouse/internal/hal/gantner"    // also registers the GANTNER vendor (Gen7 hub; see docs/door-adapters.md)
	_ "github.com/gatehouse/gatehouse/internal/hal/kisi"     // registers the KISI vendor
	_ "github.com/gatehouse/gatehouse/internal/hal/openpath" // registers the OPENPATH vendor
	"github.com/gatehouse/gatehouse/internal/hal/osdpdoor"
	_ "github.com/gatehouse/gatehouse/internal/hal/salto" // registers the SALTO_KS vendor
	"github.com/gatehouse/gatehouse/internal/hal/sim"
	"github.com/gatehouse/gatehouse/internal/httpapi"
	"github.com/gatehouse/gatehouse/internal/integration"
	"github.com/gatehouse/gatehouse/internal/member"
	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/phone"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/webui"
)

// Version is set at build time (-ldflags "-X …/internal/app.Version=…").
var Version = "dev"

// Config is what the wiring needs.
type Config struct {
	DB      *store.DB
	Clock   clock.Clock
	Hash    auth.HashParams
	AMQPURL string // empty: events stay in-process
	// Secrets encrypts secrets at rest (OSDP reader keys). Nil: features that
	// need it refuse with a clear error (secure OSDP readers stay offline).
	Secrets *secret.Keyring
	// OSDPTimings are the OSDP lines' bus timings (zero: the osdp defaults).
	OSDPTimings osdp.Config
	// RefuseBLEv1 ends the deprecation period of BLE protocol v1 (its static
	// handle lets anyone follow a phone): v1 reports are refused with 422.
	RefuseBLEv1 bool
}

// App is a running Gatehouse.
type App struct {
	DB      *store.DB
	Clock   clock.Clock
	Auth    *auth.Service
	Members *member.Service
	Access  *access.Service
	Booking *booking.Service
	Courses *course.Service
	Phone   *phone.Service // QR door, member pass, BLE
	Doors   *hal.Registry
	SimDoor *sim.Adapter      // the simulated door (default adapter of every zone)
	Readers *osdpdoor.Manager // OSDP readers (provider OSDP)
	Bus     *events.Bus
	Relay   *events.Relay
	Server  *httpapi.Server
	// Integrations: vendor door clouds (Kisi, …) fed by booking events.
	Integrations *integration.Service

	publisher *events.AMQPPublisher
	wg        sync.WaitGroup
}

// New builds the services and routes.
func New(cfg Config) (*App, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.Hash == (auth.HashParams{}) {
		cfg.Hash = auth.DefaultHashParams
	}
	a := &App{DB: cfg.DB, Clock: cfg.Clock}
	var pub events.Publisher
	if cfg.AMQPURL != "" {
		p, err := events.NewAMQPPublisher(cfg.AMQPURL)
		if err != nil {
			return nil, err
		}
		a.publisher, pub = p, p
	}
	a.Bus = events.NewBus(cfg.DB)
	a.Relay = events.NewRelay(cfg.DB, pub, cfg.Clock)
	a.Integrations = integration.NewService(cfg.DB, cfg.Clock, cfg.Secrets)
	emitter := events.NewEmitter(func() { a.Bus.Wake(); a.Relay.Wake(); a.Integrations.Wake() })

	a.Auth = auth.NewService(cfg.DB, cfg.Clock, cfg.Hash)
	a.Members = &member.Service{DB: cfg.DB, Clock: cfg.Clock, Events: emitter}
	a.SimDoor = sim.New(1000)
	a.Doors = hal.NewRegistry(a.SimDoor)
	a.Access = access.NewService(cfg.DB, cfg.Clock, emitter, a.Members, a.Bus, a.Doors)
	a.Auth.Zones = a.Access.ZoneExists // devices may now be bound to zones
	a.Readers = osdpdoor.NewManager(osdpdoor.ManagerConfig{DB: cfg.DB, Clock: cfg.Clock, Access: a.Access, Auth: a.Auth,
		Events: emitter, Tail: a.Bus, Secrets: cfg.Secrets, Bus: cfg.OSDPTimings})
	a.Doors.Register(a.Readers.Adapter)
	a.Doors.Register(gantner.Default.Doors()) // zones whose door is a Gen7 terminal (provider GANTNER)
	a.Phone = phone.NewService(cfg.DB, cfg.Clock, a.Access, cfg.Secrets)
	a.Phone.RefuseBLEv1 = cfg.RefuseBLEv1
	a.Booking = booking.NewService(cfg.DB, cfg.Clock, emitter, a.Members)
	a.Courses = course.NewService(cfg.DB, cfg.Clock, emitter, a.Members, a.Booking, a.Bus)

	a.Server = httpapi.New(httpapi.Deps{DB: cfg.DB, Auth: a.Auth, Version: Version, UI: webui.Handler()})
	member.Routes(a.Server.API, a.Members)
	access.Routes(a.Server.API, a.Access)
	booking.Routes(a.Server.API, a.Booking)
	course.Routes(a.Server.API, a.Courses)
	osdpdoor.Routes(a.Server.API, a.Readers)
	phone.Routes(a.Server.API, a.Phone)
	integration.Routes(a.Server.API, a.Integrations)
	(&gantnerhost.Endpoint{Hub: gantner.Default, Auth: a.Auth, Access: a.Access, DB: cfg.DB}).Mount(a.Server.Mux)
	return a, nil
}

// Handler is the HTTP handler with all middleware.
func (a *App) Handler() http.Handler { return a.Server.Handler() }

// Start runs the background workers until ctx ends.
func (a *App) Start(ctx context.Context) {
	// Live streams end when the workers stop (http.Server.Shutdown would wait
	// for them otherwise).
	context.AfterFunc(ctx, a.Access.Stop)
	for _, run := range []func(context.Context){a.Bus.Run, a.Relay.Run, a.Access.RunSweeper, a.Readers.Run, a.Integrations.Run} {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); run(ctx) }()
	}
	// Bookings: completes finished bookings, moves the booking horizon on.
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.Booking.Run(ctx) }()
	// Courses: marks attendance from check-ins (checkin.granted on the bus).
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.Courses.Run(ctx) }()
}

// Wait blocks until the workers stopped (after ctx of Start ended), then closes
// the broker connection.
func (a *App) Wait() {
	a.wg.Wait()
	if a.publisher != nil {
		_ = a.publisher.Close()
	}
}
