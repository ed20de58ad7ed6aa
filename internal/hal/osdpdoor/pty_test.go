//go:build linux

package osdpdoor_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/osdpdoor"
	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
)

func init() { benchTransports["pty"] = servePTY }

// servePTY serves the simulated readers on the master side of a new pty and
// returns the slave as a serial connection, as an RS-485 adapter appears to the
// adapter (opened by path through go.bug.st/serial).
func servePTY(t testing.TB, pds ...*pdsim.PD) string {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skip("skipping pty transport: cannot open pty:", err)
	}
	path := tty.Name()
	// Keep the slave open meanwhile (a pty master reads EIO when no slave is
	// open), in raw mode; the adapter opens it again by path.
	t.Cleanup(func() { tty.Close() })
	fd, err := unix.FcntlInt(ptmx.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	_ = ptmx.Close()
	if err := unix.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	master := os.NewFile(uintptr(fd), "ptmx")
	if tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS); err == nil {
		tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		tio.Oflag &^= unix.OPOST
		tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		tio.Cflag &^= unix.CSIZE | unix.PARENB
		tio.Cflag |= unix.CS8
		_ = unix.IoctlSetTermios(int(tty.Fd()), unix.TCSETS, tio)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = pdsim.Serve(ctx, master, pds...) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return "serial://" + path
}

// The adapter opens a serial device (here the slave side of a pty, through
// go.bug.st/serial as for an RS-485 adapter); the simulator sits on the master.
func TestAdapterOverSerialPTY(t *testing.T) {
	pd := pdsim.New(pdsim.Config{Address: 2})
	connection := servePTY(t, pd)

	cards := make(chan string, 4)
	a := osdpdoor.New(osdpdoor.Options{Bus: fastBus(), Hooks: osdpdoor.Hooks{OnEvent: func(_ osdpdoor.LineKey, _ osdpdoor.Reader, ev osdp.Event) {
		if c, ok := ev.(osdp.EventCard); ok {
			_, id := osdpdoor.CardCredential(c.Card)
			cards <- id
		}
	}}})
	defer a.Close()
	a.Apply([]osdpdoor.Line{{EntityID: 1, Name: "rs485", Connection: connection, Baud: 115200,
		Readers: []osdpdoor.Reader{{ZoneID: 1, Address: 2, Direction: "IN"}}}})
	waitFor(t, "reader online over the pty", func() bool {
		st := a.Statuses(1)
		return len(st) == 1 && st[0].Online
	})
	_ = pd.PresentWiegand(osdp.FormatH10301, 7, 4242)
	select {
	case id := <-cards:
		if id != "H10301:7:4242" {
			t.Fatal("wrong card identifier over the pty")
		}
	case <-time.After(patience):
		t.Fatal("no card over the pty")
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer dcancel()
	if _, err := a.UnlockDoor(dctx, hal.Door{EntityID: 1, ZoneID: 1, ExternalDoorID: "rs485:2"}, time.Second); err != nil {
		t.Fatal(err)
	}
	if o := pd.OutputCommands(); len(o) != 1 || o[0].Timer != 10 {
		t.Fatalf("relay commands %+v", o)
	}
}
