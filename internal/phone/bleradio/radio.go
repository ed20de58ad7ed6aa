// Package bleradio is the Go reference BLE broadcaster (a phone stand-in,
// protocol v2) and gateway scanner (v2 and the deprecated v1) of
// docs/phone-credentials.md. The radio sits behind two small interfaces so
// that everything except the Bluetooth calls runs in tests on an in-memory
// "air" (Air); the BlueZ implementation is built only with the `ble` tag
// (adapter_ble.go), because tinygo.org/x/bluetooth needs D-Bus and bluetoothd
// at run time and no CI machine has a radio.
package bleradio

import (
	"context"
	"time"
)

// ServiceData is one Service Data AD structure of an advertisement.
type ServiceData struct {
	UUID uint16 // 16-bit service UUID (ours is phone.BLEServiceUUID)
	Data []byte
}

// Sighting is one received advertisement.
type Sighting struct {
	Address     string // the advertiser's (usually random) address, for logs only
	ServiceData []ServiceData
	RSSI        int
}

// Advertiser broadcasts our service data (UUID 0xFFF0, non-connectable).
// Advertise replaces the current advertisement: the payload changes every step.
type Advertiser interface {
	Advertise(serviceData []byte) error
	StopAdvertising() error
}

// Receiver scans until ctx ends, calling found for each advertisement. found
// must not block for long: radios drop packets while it runs.
type Receiver interface {
	Scan(ctx context.Context, found func(Sighting)) error
}

// Radio is a device that can do both (the BlueZ adapter).
type Radio interface {
	Advertiser
	Receiver
}

// sleep waits for d or until ctx ends (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
