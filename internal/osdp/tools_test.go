package osdp_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
)

func netPipe() (net.Conn, net.Conn) { return net.Pipe() }

func TestScanFindsPDs(t *testing.T) {
	a := pdsim.New(pdsim.Config{Address: 3})
	b := pdsim.New(pdsim.Config{Address: 5})
	rw := pipePair(t, a, b)
	res, err := osdp.Scan(context.Background(), rw, osdp.ScanOptions{
		Baud: 115200, ReplyTimeout: 20 * time.Millisecond, Addresses: []byte{0, 1, 2, 3, 4, 5, 6, 7},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Address != 3 || res[1].Address != 5 {
		t.Fatalf("scan = %+v", res)
	}
	for _, r := range res {
		if r.CapErr != nil || !r.Cap.SecureChannel() || r.ID.Serial != 0x1000+uint32(r.Address) {
			t.Fatalf("result %+v", r)
		}
	}
}

func TestProvisionKeyInstallThenRotate(t *testing.T) {
	sim := pdsim.New(pdsim.Config{Address: 1})
	first, second := testKey(90), testKey(91)
	ctx, cancel := context.WithTimeout(context.Background(), eventWait)
	defer cancel()

	err := osdp.ProvisionKey(ctx, pipePair(t, sim), osdp.KeysetOptions{Address: 1, NewKey: first, Config: fastConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := sim.Key(); !ok || k != first {
		t.Fatal("install-mode keyset did not install the key")
	}
	err = osdp.ProvisionKey(ctx, pipePair(t, sim), osdp.KeysetOptions{Address: 1, CurrentKey: &first, NewKey: second, Config: fastConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := sim.Key(); k != second {
		t.Fatal("rotation did not install the second key")
	}
	// With a wrong current key the tool fails instead of hanging.
	wrong := testKey(1)
	err = osdp.ProvisionKey(ctx, pipePair(t, sim), osdp.KeysetOptions{Address: 1, CurrentKey: &wrong, NewKey: first, Config: fastConfig()})
	if err == nil {
		t.Fatal("keyset with wrong current key succeeded")
	}
}
