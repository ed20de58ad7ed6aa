// Command checkin loads a Gatehouse server with concurrent doors checking real
// members in and out with real cards, and compares its throughput with the
// database's raw commit rate (one single-row INSERT per transaction: the ceiling
// any write path on that database can reach).
//
// Self-contained (starts its own in-process server on a fresh database):
//
//	go run ./bench/checkin -db sqlite -concurrency 32 -duration 20s
//	go run ./bench/checkin -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// Against a running server (an admin token of a club you may fill with bench data):
//
//	go run ./bench/checkin -url http://127.0.0.1:8080 -token ghs_… [-db DSN for the ceiling]
//
// Each door is a READER device bound to a zone; an iteration is an IN tap and an
// OUT tap of the door's next member (both are decisions written to the database).
// Phase 1 runs closed-loop (as fast as the server answers) to find the peak;
// phase 2 offers half the peak at a steady rate and measures the latency then.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/store"
)

var (
	baseURL     = flag.String("url", "", "server to load; empty: start one in-process on -db")
	token       = flag.String("token", "", "admin token (with -url)")
	dsn         = flag.String("db", "sqlite", "database: sqlite (a fresh temporary file) or a postgres:// DSN (a fresh schema is created and dropped)")
	concurrency = flag.Int("concurrency", 32, "doors checking in at once")
	duration    = flag.Duration("duration", 20*time.Second, "length of each load phase")
	nMembers    = flag.Int("members", 1000, "members with cards")
	nZones      = flag.Int("zones", 8, "zones the doors are spread over")
	warmup      = flag.Duration("warmup", 5*time.Second, "closed-loop load before measuring (fills the check-in tables; statistics are taken after it)")
	cpuProfile  = flag.String("cpuprofile", "", "write a CPU profile of the peak phase here")
)

func main() {
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	ctx := context.Background()
	var db *store.DB
	engine := "remote"
	if *dsn != "" && (*baseURL == "" || *dsn != "sqlite") {
		var cleanup func()
		var err error
		db, cleanup, err = openFresh(ctx, *dsn)
		if err != nil {
			log.Fatal(err)
		}
		defer cleanup()
		engine = string(db.Dialect())
	}
	if *baseURL == "" {
		a, err := app.New(app.Config{DB: db, Hash: auth.TestHashParams})
		if err != nil {
			log.Fatal(err)
		}
		wctx, stop := context.WithCancel(ctx)
		defer stop()
		a.Start(wctx)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		srv := &http.Server{Handler: a.Handler()}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		*baseURL = "http://" + ln.Addr().String()
		if _, _, err := a.Auth.Init(ctx, "Bench Club", "Europe/Berlin", "bench@bench.test", "bench-password-1"); err != nil {
			log.Fatal(err)
		}
		var tok struct{ Token string }
		must(call("POST", "/api/auth/login", "", map[string]any{"email": "bench@bench.test", "password": "bench-password-1"}, &tok))
		*token = tok.Token
	}
	if *token == "" {
		log.Fatal("-url needs -token (an admin's)")
	}
	client.Transport = &http.Transport{MaxIdleConnsPerHost: *concurrency * 2, MaxConnsPerHost: *concurrency * 2}

	fmt.Fprintf(os.Stderr, "setting up %d members with cards, %d zones, %d doors…\n", *nMembers, *nZones, *concurrency)
	doors := setup()
	// Warm up, so the check-in tables are not empty, then give PostgreSQL its
	// statistics, as autovacuum would within a minute in any running
	// installation. Without them the planner takes the 1000 cards for one row
	// and plans for empty check-in tables, and keeps those plans.
	fmt.Fprintf(os.Stderr, "warming up for %s…\n", *warmup)
	load(doors, *warmup, 0)
	if db != nil && db.Dialect() == store.Postgres {
		must(exec(ctx, db, `ANALYZE`))
	}

	var ceiling float64
	var ceilingCPU cpuUse
	if db != nil {
		ceiling, ceilingCPU = commitCeiling(ctx, db, *concurrency, min(*duration, 5*time.Second))
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		must(err)
		must(pprof.StartCPUProfile(f))
	}
	peak := load(doors, *duration, 0)
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	half := load(doors, *duration, peak.throughput/2)

	host, _ := os.Hostname()
	fmt.Printf("\n## check-in load — %s, %d doors, %d members, %d zones (%s/%s, %d CPUs, %s)\n\n",
		engine, *concurrency, *nMembers, *nZones, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), host)
	fmt.Printf("| phase | offered | throughput (decisions/s) | p50 | p99 | errors | machine CPU busy | CPU per op (all) | of which this process |\n|---|---|---|---|---|---|---|---|---|\n")
	row := func(r result) string {
		ops := r.throughput * (r.cpu.total.Seconds() / float64(runtime.NumCPU()))
		return fmt.Sprintf("%s | %s | %s", r.cpu, perOp(r.cpu.busy, ops), perOp(r.cpu.own, ops))
	}
	fmt.Printf("| peak (closed loop) | max | %.0f | %s | %s | %d | %s |\n", peak.throughput, ms(peak.p50), ms(peak.p99), peak.errors, row(peak))
	fmt.Printf("| half of peak | %.0f/s | %.0f | %s | %s | %d | %s |\n", peak.throughput/2, half.throughput, ms(half.p50), ms(half.p99), half.errors, row(half))
	if ceiling > 0 {
		fmt.Printf("| ceiling: raw single-row INSERT transactions | max | %.0f | | | | %s |\n", ceiling, row(result{throughput: ceiling, cpu: ceilingCPU}))
		fmt.Printf("\npeak / ceiling = %.2f (target ≥ 0.5); p99 at half of peak = %s (target < 10 ms)\n", peak.throughput/ceiling, ms(half.p99))
	}
	fmt.Printf("\ncommand: go run ./bench/checkin %s\n", strings.Join(os.Args[1:], " "))
}

func exec(ctx context.Context, db *store.DB, q string) error {
	_, err := db.ExecContext(ctx, q)
	return err
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// openFresh opens an empty, migrated database: a temporary SQLite file, or a new
// PostgreSQL schema dropped afterwards.
func openFresh(ctx context.Context, d string) (*store.DB, func(), error) {
	if d == "sqlite" {
		dir, err := os.MkdirTemp("", "gatehouse-bench")
		if err != nil {
			return nil, nil, err
		}
		db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "bench.db"))
		if err != nil {
			return nil, nil, err
		}
		return db, func() { db.Close(); os.RemoveAll(dir) }, db.Migrate(ctx)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	schema := "bench_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", d)
	if err != nil {
		return nil, nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(d)
	if err != nil {
		return nil, nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := store.Open(ctx, u.String())
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() {
		db.Close()
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}
	return db, cleanup, db.Migrate(ctx)
}

var client = &http.Client{Timeout: 30 * time.Second}

func call(method, path, tok string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, *baseURL+path, r)
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

type door struct {
	key   string
	zone  int64
	cards []string
}

// setup creates the members, cards, zones and doors through the API.
func setup() []*door {
	run := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff)
	var tpl, building struct{ ID int64 }
	must(call("POST", "/api/contract-templates", *token, map[string]any{"name": "Bench " + run, "tierCd": "BENCH", "tierRank": 1}, &tpl))
	must(call("POST", "/api/access/zones", *token, map[string]any{"name": "Bench house " + run, "typeCd": "BUILDING"}, &building))
	zones := make([]int64, *nZones)
	for i := range zones {
		var z struct{ ID int64 }
		must(call("POST", "/api/access/zones", *token, map[string]any{"name": fmt.Sprintf("Bench room %d", i), "typeCd": "ROOM", "parentZoneId": building.ID}, &z))
		zones[i] = z.ID
	}
	doors := make([]*door, *concurrency)
	for i := range doors {
		var d struct{ APIKey string }
		must(call("POST", "/api/devices", *token, map[string]any{"name": fmt.Sprintf("Bench door %d", i), "kind": "READER", "zoneId": zones[i%len(zones)]}, &d))
		doors[i] = &door{key: d.APIKey, zone: zones[i%len(zones)]}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= *nMembers {
					return
				}
				var m struct{ ID int64 }
				must(call("POST", "/api/members", *token, map[string]any{"firstName": "Bench", "lastName": fmt.Sprint(i), "email": fmt.Sprintf("bench-%s-%d@bench.test", run, i)}, &m))
				must(call("POST", fmt.Sprintf("/api/members/%d/contracts", m.ID), *token, map[string]any{"templateId": tpl.ID, "startDate": "2020-01-01"}, nil))
				card := fmt.Sprintf("BE%s%08X", strings.ToUpper(run), i)
				must(call("POST", "/api/access/credentials", *token, map[string]any{"memberId": m.ID, "typeCd": "NFC_CARD", "identifier": card}, nil))
				mu.Lock()
				d := doors[i%len(doors)]
				d.cards = append(d.cards, card)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return doors
}

type result struct {
	throughput float64
	p50, p99   time.Duration
	errors     int64
	cpu        cpuUse
}

// cpuUse is where the machine's CPU time went during a phase: all of it
// (/proc/stat; Linux only, else zero) and this process's part (the in-process
// server and the load generator; the rest is mostly the database).
type cpuUse struct {
	busy, total, own time.Duration
	ok               bool
}

type cpuMark struct {
	busy, total, own time.Duration
	ok               bool
}

func markCPU() cpuMark {
	var m cpuMark
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		m.own = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return m
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return m
	}
	const tick = 10 * time.Millisecond // USER_HZ = 100 on Linux
	for i, v := range f[1:] {
		var n int64
		fmt.Sscan(v, &n)
		m.total += time.Duration(n) * tick
		if i != 3 && i != 4 { // idle, iowait
			m.busy += time.Duration(n) * tick
		}
	}
	m.ok = true
	return m
}

func (m cpuMark) since(start cpuMark) cpuUse {
	return cpuUse{busy: m.busy - start.busy, total: m.total - start.total, own: m.own - start.own, ok: m.ok && start.ok}
}

// perOp formats CPU time per operation in milliseconds.
func perOp(d time.Duration, ops float64) string {
	if ops <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f ms", d.Seconds()*1000/ops)
}

func (c cpuUse) String() string {
	if !c.ok || c.total <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*c.busy.Seconds()/c.total.Seconds())
}

// load runs every door for d. rate 0: closed loop; otherwise the doors together
// offer rate decisions per second, evenly paced.
func load(doors []*door, d time.Duration, rate float64) result {
	var mu sync.Mutex
	var lat []time.Duration
	var errs, done atomic.Int64
	deadline := time.Now().Add(d)
	var tick <-chan time.Time
	if rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer t.Stop()
		tick = t.C
	}
	start, cpu0 := time.Now(), markCPU()
	var wg sync.WaitGroup
	for _, dr := range doors {
		wg.Go(func() {
			var mine []time.Duration
			for k := 0; time.Now().Before(deadline); k++ {
				card := dr.cards[k%len(dr.cards)]
				for _, dir := range []string{"IN", "OUT"} {
					if tick != nil {
						<-tick
					}
					t0 := time.Now()
					var ci struct{ StatusCd string }
					err := call("POST", "/api/checkin", dr.key, map[string]any{"methodCd": "NFC", "directionCd": dir,
						"credential": map[string]any{"typeCd": "NFC_CARD", "identifier": card}}, &ci)
					mine = append(mine, time.Since(t0))
					if err != nil || dir == "IN" && ci.StatusCd != "GRANTED" {
						if errs.Add(1) < 3 {
							fmt.Fprintln(os.Stderr, "unexpected:", err, ci.StatusCd)
						}
					}
					done.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), markCPU().since(cpu0)
	slices.Sort(lat)
	if len(lat) == 0 {
		return result{}
	}
	return result{throughput: float64(done.Load()) / elapsed.Seconds(), p50: lat[len(lat)/2], p99: lat[len(lat)*99/100], errors: errs.Load(), cpu: cpu}
}

// commitCeiling measures single-row INSERT transactions per second with the same
// concurrency and the same connection settings the server uses.
func commitCeiling(ctx context.Context, db *store.DB, workers int, d time.Duration) (float64, cpuUse) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE bench_ceiling (id BIGINT, at TIMESTAMP, note VARCHAR(50))`); err != nil {
		log.Fatal(err)
	}
	defer db.ExecContext(ctx, `DROP TABLE bench_ceiling`)
	var n atomic.Int64
	deadline := time.Now().Add(d)
	start, cpu0 := time.Now(), markCPU()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				err := db.InTx(ctx, func(tx *store.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO bench_ceiling (id, at, note) VALUES ($1, $2, $3)`, int64(w)<<32|int64(i), time.Now(), "ceiling")
					return err
				})
				if err != nil && !errors.Is(err, context.Canceled) {
					log.Fatal(err)
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds(), markCPU().since(cpu0)
}
