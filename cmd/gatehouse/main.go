// Command gatehouse runs the Gatehouse server and its admin tasks.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // IANA zones even on machines without /usr/share/zoneinfo

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/demo"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
)

const usage = `Gatehouse — access control, check-in and scheduling.

Usage:
  gatehouse serve   [--addr 127.0.0.1:8080] [--db DSN] [--amqp URL] [--demo]
  gatehouse init    --org NAME --timezone IANA --admin-email E --admin-password P [--db DSN]
  gatehouse migrate [--db DSN]
  gatehouse openapi            print the OpenAPI 3.1 document
  gatehouse osdp scan|keyset|simulate …   OSDP reader tools (gatehouse osdp for help)
  gatehouse version

DSN: sqlite:PATH (default sqlite:gatehouse.db) or postgres://user:pass@host/db.
Environment: GATEHOUSE_ADDR, GATEHOUSE_DB, GATEHOUSE_AMQP_URL, GATEHOUSE_SECRET_KEY, GATEHOUSE_BLE_REFUSE_V1.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "init":
		err = initCmd(ctx, os.Args[2:], os.Stdout)
	case "migrate":
		err = migrate(ctx, os.Args[2:])
	case "openapi":
		err = printOpenAPI(os.Stdout)
	case "osdp":
		err = osdpCmd(ctx, os.Args[2:], os.Stdout)
	case "version", "--version", "-v":
		fmt.Println("gatehouse", app.Version)
	case "help", "--help", "-h":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatehouse:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// checkSecretKey validates GATEHOUSE_SECRET_KEY when it is set: it encrypts
// secrets at rest (door-vendor keys, reader keys) and must be 32 bytes in
// base64; several keys, comma-separated, rotate (the first one seals).
func checkSecretKey() error {
	k := os.Getenv("GATEHOUSE_SECRET_KEY")
	if k == "" {
		return nil
	}
	if _, err := secret.ParseKeys(k); err != nil {
		return errors.New("GATEHOUSE_SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32), comma-separated for rotation")
	}
	return nil
}

// loadKeyring returns the keyring of serve: GATEHOUSE_SECRET_KEY, else (SQLite)
// a key file next to the database (<path>.key, created once, mode 0600), else
// nil: features needing secrets refuse.
func loadKeyring(dsn string) (*secret.Keyring, error) {
	if k := os.Getenv("GATEHOUSE_SECRET_KEY"); k != "" {
		keys, err := secret.ParseKeys(k)
		if err != nil {
			return nil, err
		}
		return secret.NewKeyring(keys...)
	}
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok && path != ":memory:" && !strings.HasPrefix(path, "file::memory:") {
		path, _, _ = strings.Cut(path, "?")
		key, err := secret.LoadOrCreateKeyFile(path + ".key")
		if err != nil {
			return nil, fmt.Errorf("secret key file: %w", err)
		}
		return secret.NewKeyring(key)
	}
	slog.Warn("no GATEHOUSE_SECRET_KEY: secrets cannot be stored (secure OSDP readers stay offline); set one with openssl rand -base64 32")
	return nil, nil
}

func openDB(ctx context.Context, dsn string) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", env("GATEHOUSE_ADDR", "127.0.0.1:8080"), "listen address")
	dsn := fs.String("db", env("GATEHOUSE_DB", store.DefaultDSN), "database DSN")
	amqpURL := fs.String("amqp", env("GATEHOUSE_AMQP_URL", ""), "RabbitMQ URL (empty: events stay in-process)")
	withDemo := fs.Bool("demo", false, "fill an empty database with the demo club")
	refuseBLEv1 := fs.Bool("ble-refuse-v1", env("GATEHOUSE_BLE_REFUSE_V1", "") == "1", "refuse BLE protocol v1 reports (phones must run an app that speaks v2; docs/phone-credentials.md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkSecretKey(); err != nil {
		return err
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := loadKeyring(*dsn)
	if err != nil {
		return err
	}
	a, err := app.New(app.Config{DB: db, AMQPURL: *amqpURL, Secrets: keys, RefuseBLEv1: *refuseBLEv1})
	if err != nil {
		return err
	}
	if *withDemo {
		login, err := demo.Seed(ctx, a)
		switch {
		case errors.Is(err, demo.ErrNotEmpty):
			fmt.Println("demo: the database already holds data; not seeding (demo logins, if it is the demo club: see README)")
		case err != nil:
			return fmt.Errorf("demo: %w", err)
		default:
			fmt.Printf("demo club created. Log in at http://%s with %s / %s\n", *addr, login.Email, login.Password)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	workers, stopWorkers := context.WithCancel(context.Background())
	a.Start(workers)
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	slog.Info("gatehouse serving", "addr", ln.Addr().String(), "db", string(db.Dialect()), "version", app.Version, "amqp", *amqpURL != "")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		stopWorkers()
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	stopWorkers()
	a.Wait()
	return err
}

func initCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	org := fs.String("org", "", "organisation name")
	tz := fs.String("timezone", "", "IANA time zone, e.g. Europe/Berlin")
	email := fs.String("admin-email", "", "e-mail of the platform admin")
	password := fs.String("admin-password", "", "password of the platform admin (at least 10 characters)")
	dsn := fs.String("db", env("GATEHOUSE_DB", store.DefaultDSN), "database DSN")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *org == "" || *tz == "" || *email == "" || *password == "" {
		return errors.New("init needs --org, --timezone, --admin-email and --admin-password")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(app.Config{DB: db})
	if err != nil {
		return err
	}
	ent, u, err := a.Auth.Init(ctx, *org, *tz, *email, *password)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created organisation %d %q (%s) and platform admin %s\n", ent.ID, ent.Name, ent.Timezone, u.Email)
	return nil
}

func migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	dsn := fs.String("db", env("GATEHOUSE_DB", store.DefaultDSN), "database DSN")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("schema at version %d\n", v)
	return nil
}

// printOpenAPI builds the routes on an in-memory database only to describe them.
func printOpenAPI(out io.Writer) error {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(app.Config{DB: db, Hash: auth.TestHashParams})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(a.Server.API.OpenAPI())
}
