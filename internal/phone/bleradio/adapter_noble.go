//go:build !ble

package bleradio

import "errors"

// Available says whether this build can drive a real radio.
const Available = false

// ErrNoRadio is what a build without the `ble` tag answers.
var ErrNoRadio = errors.New("built without BLE support; rebuild with -tags ble")

// OpenAdapter fails: the default build carries no Bluetooth stack, so the
// server and its tests do not depend on D-Bus.
func OpenAdapter() (Radio, error) { return nil, ErrNoRadio }
