//go:build linux

package osdp_test

import (
	"os"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
)

// makeRaw turns off the tty line discipline (echo, CR/LF mapping, signals,
// canonical mode) so that binary OSDP frames pass through unchanged, as on
// a real serial port.
func makeRaw(t *testing.T, f *os.File) {
	t.Helper()
	// SyscallConn rather than Fd: Fd switches the file to blocking mode,
	// after which Close no longer interrupts a pending Read.
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var ioctlErr error
	if err := rc.Control(func(fd uintptr) { ioctlErr = setRaw(int(fd)) }); err != nil {
		t.Fatal(err)
	}
	if ioctlErr != nil {
		t.Fatal(ioctlErr)
	}
}

// pollable re-opens f's descriptor in non-blocking mode. creack/pty leaves
// the master in blocking mode (it calls Fd), and a blocking Read cannot be
// interrupted by Close, which the bus relies on to stop its reader.
func pollable(t *testing.T, f *os.File) *os.File {
	t.Helper()
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	if err := unix.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	return os.NewFile(uintptr(fd), "ptmx")
}

func setRaw(fd int) error {
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	tio.Cflag &^= unix.CSIZE | unix.PARENB
	tio.Cflag |= unix.CS8
	tio.Cc[unix.VMIN], tio.Cc[unix.VTIME] = 1, 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, tio)
}

// The CP drives the pty master the way it would drive a serial adapter;
// the simulator sits on the slave side.
func TestBusOverPTY(t *testing.T) {
	if _, err := os.Stat("/dev/ptmx"); err != nil {
		t.Skip("skipping pty test: /dev/ptmx unavailable:", err)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skip("skipping pty test: cannot open pty:", err)
	}
	ptmx = pollable(t, ptmx)
	makeRaw(t, tty)
	makeRaw(t, ptmx)

	sim := pdsim.New(pdsim.Config{Address: 0x42})
	serveSim(t, tty, sim)
	h := startBus(t, ptmx, fastConfig(), osdp.PDConfig{Address: 0x42, Secure: true})

	waitEvent[osdp.EventProvisioned](h, 0x42, nil)
	if e := waitEvent[osdp.EventOnline](h, 0x42, nil); !e.Secure {
		t.Fatal("not secure over pty")
	}
	if err := sim.PresentWiegand(osdp.FormatH10301, 7, 4242); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent[osdp.EventCard](h, 0x42, nil); osdp.CardIdentifier(e.Card) != "H10301:7:4242" {
		t.Fatal("wrong card over pty")
	}
	if err := h.bus.PulseOutput(ctxT(t), 0x42, 0, 500*1e6); err != nil {
		t.Fatal(err)
	}
	if len(sim.OutputCommands()) != 1 {
		t.Fatal("relay pulse not recorded")
	}
}
