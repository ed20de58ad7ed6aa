package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
)

const osdpUsage = `gatehouse osdp — tools for OSDP v2 readers

  gatehouse osdp scan     --port PORT [--baud 9600] [--from 0 --to 126]
  gatehouse osdp keyset   --port PORT --address N [--current-key HEX] [--new-key HEX] [--baud 9600]
  gatehouse osdp simulate --listen ADDR [--address N] [--key HEX]

PORT is a serial device (/dev/ttyUSB0) or tcp://host:port (an RS-485-to-TCP bridge).
`

func osdpCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, osdpUsage)
		return errors.New("osdp needs a subcommand")
	}
	switch args[0] {
	case "scan":
		return osdpScan(ctx, args[1:], out)
	case "keyset":
		return osdpKeyset(ctx, args[1:], out)
	case "simulate":
		return osdpSimulate(ctx, args[1:], os.Stdin, out)
	default:
		fmt.Fprint(out, osdpUsage)
		return fmt.Errorf("unknown osdp subcommand %q", args[0])
	}
}

// openPort opens a serial device or, for tcp://host:port, a TCP connection.
func openPort(ctx context.Context, port string, baud int) (io.ReadWriteCloser, error) {
	if addr, ok := strings.CutPrefix(port, "tcp://"); ok {
		return osdp.DialTCP(ctx, addr)
	}
	if port == "" {
		return nil, errors.New("--port is required (a serial device or tcp://host:port)")
	}
	return osdp.OpenSerial(port, baud)
}

func osdpScan(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("osdp scan", flag.ContinueOnError)
	port := fs.String("port", "", "serial device or tcp://host:port")
	baud := fs.Int("baud", 9600, "line rate")
	from := fs.Int("from", 0, "first address")
	to := fs.Int("to", 0x7e, "last address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from < 0 || *to > 0x7e || *from > *to {
		return errors.New("addresses run from 0 to 126")
	}
	rw, err := openPort(ctx, *port, *baud)
	if err != nil {
		return err
	}
	var addrs []byte
	for a := *from; a <= *to; a++ {
		addrs = append(addrs, byte(a))
	}
	found, err := osdp.Scan(ctx, rw, osdp.ScanOptions{Baud: *baud, Addresses: addrs})
	if err != nil {
		return err
	}
	if len(found) == 0 {
		fmt.Fprintf(out, "no reader answered on %s at %d baud (addresses %d–%d)\n", *port, *baud, *from, *to)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tVENDOR (OUI)\tMODEL\tVERSION\tSERIAL\tFIRMWARE\tCAPABILITIES")
	for _, r := range found {
		caps := fmt.Sprintf("%d", len(r.Cap.Capabilities))
		if r.CapErr != nil {
			caps = "CAP failed: " + r.CapErr.Error()
		}
		fmt.Fprintf(tw, "%d\t%02X-%02X-%02X\t%d\t%d\t%d\t%d.%d.%d\t%s\n", r.Address, r.ID.OUI[0], r.ID.OUI[1], r.ID.OUI[2],
			r.ID.Model, r.ID.Version, r.ID.Serial, r.ID.FirmwareMajor, r.ID.FirmwareMinor, r.ID.FirmwareBuild, caps)
	}
	return tw.Flush()
}

func osdpKeyset(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("osdp keyset", flag.ContinueOnError)
	port := fs.String("port", "", "serial device or tcp://host:port")
	baud := fs.Int("baud", 9600, "line rate")
	address := fs.Int("address", -1, "reader address (0–126)")
	current := fs.String("current-key", "", "the reader's present key in hex (empty: install mode, SCBK-D)")
	newKey := fs.String("new-key", "", "the key to install in hex (empty: a random one is generated)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *address < 0 || *address > 0x7e {
		return errors.New("--address 0–126 is required")
	}
	opts := osdp.KeysetOptions{Address: byte(*address), Config: osdp.Config{Baud: *baud}}
	if *current != "" {
		k, err := osdp.ParseKey(*current)
		if err != nil {
			return fmt.Errorf("--current-key: %w", err)
		}
		opts.CurrentKey = &k
	}
	if *newKey != "" {
		k, err := osdp.ParseKey(*newKey)
		if err != nil {
			return fmt.Errorf("--new-key: %w", err)
		}
		opts.NewKey = k
	} else {
		k, err := osdp.GenerateKey()
		if err != nil {
			return err
		}
		opts.NewKey = k
	}
	// The key is shown before it is sent: if the reader takes it and the
	// connection drops before the answer, the operator still has it.
	fmt.Fprintf(out, "new secure-channel key for address %d (store it now; it is not shown again):\n%s\n", *address, opts.NewKey.RevealHex())
	rw, err := openPort(ctx, *port, *baud)
	if err != nil {
		return err
	}
	if err := osdp.ProvisionKey(ctx, rw, opts); err != nil {
		return fmt.Errorf("keyset failed: %w", err)
	}
	fmt.Fprintln(out, "the reader accepted the key and completed a secure handshake with it")
	return nil
}

// osdpSimulate runs a simulated reader. Lines on stdin drive it:
//
//	card H10301 42 31337      present a Wiegand card (format facility number)
//	keys 1234#                type on the keypad
//	tamper on|off             report tamper
//	silent on|off             stop / resume answering (the panel sees it go offline)
func osdpSimulate(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("osdp simulate", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:4001", "TCP address to listen on")
	address := fs.Int("address", 1, "reader address (0–126)")
	key := fs.String("key", "", "installed secure-channel key in hex (empty: install mode)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *address < 0 || *address > 0x7e {
		return errors.New("--address must be 0–126")
	}
	cfg := pdsim.Config{Address: byte(*address), OnKeySet: func(osdp.Key) { fmt.Fprintln(out, "KEYSET received: the reader now uses a new key") }}
	if *key != "" {
		k, err := osdp.ParseKey(*key)
		if err != nil {
			return fmt.Errorf("--key: %w", err)
		}
		cfg.SCBK = &k
	}
	pd := pdsim.New(cfg)
	fmt.Fprintf(out, "simulated OSDP reader at address %d listening on %s\ncommands: card H10301 FACILITY NUMBER | keys DIGITS | tamper on|off | silent on|off\n", *address, *listen)
	go func() {
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			if err := simCommand(pd, sc.Text()); err != nil {
				fmt.Fprintln(out, "error:", err)
			}
		}
	}()
	err := pdsim.ListenAndServe(ctx, *listen, pd)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func simCommand(pd *pdsim.PD, line string) error {
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil
	}
	switch {
	case f[0] == "card" && len(f) == 4:
		fac, err1 := strconv.ParseUint(f[2], 10, 32)
		num, err2 := strconv.ParseUint(f[3], 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		return pd.PresentWiegand(f[1], uint32(fac), num)
	case f[0] == "keys" && len(f) == 2:
		pd.TypeKeys(f[1])
	case f[0] == "tamper" && len(f) == 2:
		pd.SetTamper(f[1] == "on")
	case f[0] == "silent" && len(f) == 2:
		pd.SetSilent(f[1] == "on")
	default:
		return fmt.Errorf("unknown command %q", line)
	}
	return nil
}
