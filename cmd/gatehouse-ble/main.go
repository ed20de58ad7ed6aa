// Command gatehouse-ble is the reference BLE tool of docs/phone-credentials.md:
// `broadcast` advertises a provisioned member key like the phone app, `scan`
// is a gateway that reports what it hears to the server. The radio needs the
// `ble` build tag (BlueZ over D-Bus); a default build only says so.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/phone"
	"github.com/gatehouse/gatehouse/internal/phone/bleradio"
)

const usage = `usage:
  gatehouse-ble broadcast --key-file key.json [--server URL]
  gatehouse-ble scan --server URL [--zone ID] [--reader ID]   (GATEHOUSE_DEVICE_KEY: a GATEWAY device key)

key.json is the response of POST /api/me/ble-key. With --server, broadcast
takes its clock offset from the server's Date header.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr, bleradio.OpenAdapter))
}

// run is main without the process: radio is injected so the command's
// behaviour is testable without Bluetooth.
func run(ctx context.Context, args []string, stderr io.Writer, open func() (bleradio.Radio, error)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("gatehouse-ble "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "", "Gatehouse base URL, e.g. https://gatehouse.example")
	keyFile := fs.String("key-file", "", "broadcast: the JSON of POST /api/me/ble-key")
	zone := fs.Int64("zone", 0, "scan: the zone id (default: the zone the gateway key is bound to)")
	reader := fs.String("reader", "", "scan: this antenna's reader id (names its RSSI calibration)")
	switch args[0] {
	case "broadcast", "scan":
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if !bleradio.Available {
		fmt.Fprintln(stderr, "gatehouse-ble: built without BLE support; rebuild with -tags ble")
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	var err error
	if args[0] == "broadcast" {
		err = broadcast(ctx, log, *keyFile, *server, open)
	} else {
		var zoneID *int64
		if *zone > 0 {
			zoneID = zone
		}
		err = scan(ctx, log, bleradio.ScannerConfig{Server: *server, DeviceKey: os.Getenv("GATEHOUSE_DEVICE_KEY"), ZoneID: zoneID, ReaderID: *reader}, open)
	}
	if err != nil {
		fmt.Fprintln(stderr, "gatehouse-ble:", err)
		return 1
	}
	return 0
}

func broadcast(ctx context.Context, log *slog.Logger, keyFile, server string, open func() (bleradio.Radio, error)) error {
	if keyFile == "" {
		return errors.New("--key-file is required")
	}
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	var key phone.BLEKey
	if err := json.Unmarshal(raw, &key); err != nil {
		return fmt.Errorf("%s: %w", keyFile, err)
	}
	var offset time.Duration
	if server != "" {
		if offset, err = serverOffset(ctx, server); err != nil {
			return err
		}
	}
	radio, err := open()
	if err != nil {
		return err
	}
	b, err := bleradio.NewBroadcaster(radio, clock.System{}, key, offset)
	if err != nil {
		return err
	}
	// Not the handle: protocol v2 never puts it on the air, so it has no
	// business in logs either.
	log.Info("advertising", "protocol", 2, "offset", offset)
	return b.Run(ctx)
}

// serverOffset is the server's Date minus local time (one-second resolution,
// well inside the one step of skew the server accepts).
func serverOffset(ctx context.Context, server string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(server, "/")+"/readyz", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	at, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return 0, fmt.Errorf("the server sent no usable Date header: %w", err)
	}
	return bleradio.Offset(at, time.Now()), nil
}

func scan(ctx context.Context, log *slog.Logger, cfg bleradio.ScannerConfig, open func() (bleradio.Radio, error)) error {
	if cfg.Server == "" || cfg.DeviceKey == "" {
		return errors.New("scan needs --server and GATEHOUSE_DEVICE_KEY (a GATEWAY device key)")
	}
	cfg.OnResult = func(r bleradio.Result) {
		// The token is a bearer secret for one step: log only its version
		// and the first 4 bytes of the id (v2: the ephemeral id, which
		// changes every step; v1: the handle).
		log.Info("report", "version", r.Token[:2], "id", r.Token[2:10], "rssi", r.RSSI, "status", r.Status, "outcome", r.Outcome, "err", r.Err)
	}
	sc, err := bleradio.NewScanner(cfg)
	if err != nil {
		return err
	}
	radio, err := open()
	if err != nil {
		return err
	}
	log.Info("scanning", "server", cfg.Server, "reader", cfg.ReaderID)
	return sc.Run(ctx, radio)
}
