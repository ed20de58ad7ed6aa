package bleradio

import (
	"context"
	"sync"

	"github.com/gatehouse/gatehouse/internal/phone"
)

// Air is an in-memory radio medium for tests and demos: advertisers put
// service data on it, receivers hear it with the RSSI they are set to.
// Advertising is periodic on a real radio; here each Advertise is heard once
// and Pulse stands for one more advertising interval.
type Air struct {
	mu  sync.Mutex
	ads map[*FakeAdvertiser][]byte
	rxs map[*FakeReceiver]func(Sighting)
}

// NewAir returns an empty medium.
func NewAir() *Air {
	return &Air{ads: map[*FakeAdvertiser][]byte{}, rxs: map[*FakeReceiver]func(Sighting){}}
}

// FakeAdvertiser is a phone on the Air.
type FakeAdvertiser struct {
	air     *Air
	address string
}

// FakeReceiver is a gateway antenna on the Air.
type FakeReceiver struct {
	air     *Air
	mu      sync.Mutex
	rssi    int
	started chan struct{}
	once    sync.Once
}

// Advertiser adds a phone with this address.
func (a *Air) Advertiser(address string) *FakeAdvertiser {
	return &FakeAdvertiser{air: a, address: address}
}

// Receiver adds an antenna hearing everything at rssi dBm.
func (a *Air) Receiver(rssi int) *FakeReceiver {
	return &FakeReceiver{air: a, rssi: rssi, started: make(chan struct{})}
}

// Pulse delivers every current advertisement once more to every scanning receiver.
func (a *Air) Pulse() {
	a.mu.Lock()
	var deliveries []func()
	for ad, data := range a.ads {
		for rx, found := range a.rxs {
			deliveries = append(deliveries, func() { found(rx.sighting(ad.address, data)) })
		}
	}
	a.mu.Unlock()
	for _, d := range deliveries {
		d()
	}
}

// Advertise implements Advertiser; the new payload is heard at once.
func (f *FakeAdvertiser) Advertise(serviceData []byte) error {
	data := append([]byte(nil), serviceData...)
	f.air.mu.Lock()
	f.air.ads[f] = data
	var deliveries []func()
	for rx, found := range f.air.rxs {
		deliveries = append(deliveries, func() { found(rx.sighting(f.address, data)) })
	}
	f.air.mu.Unlock()
	for _, d := range deliveries {
		d()
	}
	return nil
}

// StopAdvertising implements Advertiser.
func (f *FakeAdvertiser) StopAdvertising() error {
	f.air.mu.Lock()
	delete(f.air.ads, f)
	f.air.mu.Unlock()
	return nil
}

// SetRSSI moves the phones nearer or farther.
func (r *FakeReceiver) SetRSSI(rssi int) {
	r.mu.Lock()
	r.rssi = rssi
	r.mu.Unlock()
}

// Started is closed once Scan listens.
func (r *FakeReceiver) Started() <-chan struct{} { return r.started }

func (r *FakeReceiver) sighting(address string, data []byte) Sighting {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Sighting{Address: address, RSSI: r.rssi, ServiceData: []ServiceData{{UUID: phone.BLEServiceUUID, Data: append([]byte(nil), data...)}}}
}

// Scan implements Receiver.
func (r *FakeReceiver) Scan(ctx context.Context, found func(Sighting)) error {
	r.air.mu.Lock()
	r.air.rxs[r] = found
	r.air.mu.Unlock()
	r.once.Do(func() { close(r.started) })
	<-ctx.Done()
	r.air.mu.Lock()
	delete(r.air.rxs, r)
	r.air.mu.Unlock()
	return nil
}
