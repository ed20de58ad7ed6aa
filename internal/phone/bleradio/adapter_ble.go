//go:build ble

package bleradio

import (
	"context"
	"fmt"
	"sync"

	"tinygo.org/x/bluetooth"

	"github.com/gatehouse/gatehouse/internal/phone"
)

// Available says whether this build can drive a real radio.
const Available = true

// Adapter is the host's default Bluetooth adapter through BlueZ (D-Bus).
type Adapter struct {
	a *bluetooth.Adapter

	mu  sync.Mutex
	adv *bluetooth.Advertisement
	on  bool
}

var serviceUUID = bluetooth.New16BitUUID(phone.BLEServiceUUID)

// OpenAdapter enables the default adapter. It needs bluetoothd running and
// permission to talk to it on the system bus (see docs/phone-credentials.md).
func OpenAdapter() (Radio, error) {
	a := bluetooth.DefaultAdapter
	if err := a.Enable(); err != nil {
		return nil, fmt.Errorf("bleradio: enable the Bluetooth adapter (is bluetoothd running?): %w", err)
	}
	return &Adapter{a: a, adv: a.DefaultAdvertisement()}, nil
}

// Advertise implements Advertiser. BlueZ cannot change a registered
// advertisement's data, so a new payload is stop, configure, start.
func (r *Adapter) Advertise(serviceData []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		if err := r.adv.Stop(); err != nil {
			return err
		}
		r.on = false
	}
	err := r.adv.Configure(bluetooth.AdvertisementOptions{
		AdvertisementType: bluetooth.AdvertisingTypeNonConnInd,
		ServiceUUIDs:      []bluetooth.UUID{serviceUUID},
		ServiceData:       []bluetooth.ServiceDataElement{{UUID: serviceUUID, Data: append([]byte(nil), serviceData...)}},
	})
	if err != nil {
		return err
	}
	if err := r.adv.Start(); err != nil {
		return err
	}
	r.on = true
	return nil
}

// StopAdvertising implements Advertiser.
func (r *Adapter) StopAdvertising() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.on {
		return nil
	}
	r.on = false
	return r.adv.Stop()
}

// Scan implements Receiver. BlueZ reports property changes of known devices
// rather than every packet, so an unchanged payload at an unchanged RSSI may be
// heard only once: the scanner's de-duplication does not depend on repeats.
func (r *Adapter) Scan(ctx context.Context, found func(Sighting)) error {
	stop := context.AfterFunc(ctx, func() { _ = r.a.StopScan() })
	defer stop()
	return r.a.Scan(func(_ *bluetooth.Adapter, res bluetooth.ScanResult) {
		var sd []ServiceData
		for _, e := range res.ServiceData() {
			if e.UUID.Is16Bit() {
				// The payload may only live until the callback returns.
				sd = append(sd, ServiceData{UUID: e.UUID.Get16Bit(), Data: append([]byte(nil), e.Data...)})
			}
		}
		if len(sd) > 0 {
			found(Sighting{Address: res.Address.String(), ServiceData: sd, RSSI: int(res.RSSI)})
		}
	})
}
