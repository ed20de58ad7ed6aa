package osdpdoor

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/osdp"
)

// Provider is the name zones use for OSDP readers.
const Provider = "OSDP"

// Settings are the door-binding settings of a zone bound to an OSDP reader
// (PUT /api/access/zones/{id}/door with provider OSDP).
//
//	{"connection": "tcp://10.0.0.5:4001", "baud": 9600, "secure": true,
//	 "direction": "IN", "output": 0}
//
// A door with an entry and an exit reader lists both (same line):
//
//	{"connection": "tcp://10.0.0.5:4001", "readers": [
//	 {"address": 1, "direction": "IN"}, {"address": 2, "direction": "OUT"}]}
type Settings struct {
	// Connection is the line: a serial device ("/dev/ttyUSB0", "serial:///dev/ttyUSB0")
	// or an OSDP-over-TCP endpoint ("tcp://host:port").
	Connection string `json:"connection"`
	// Baud is the serial line rate (default 9600; ignored over TCP except for
	// the reply timeout).
	Baud int `json:"baud,omitempty"`
	// Secure requires the AES secure channel (never falls back to plaintext).
	Secure bool `json:"secure,omitempty"`
	// Direction is IN (default) or OUT (an exit reader: check-out).
	Direction string `json:"direction,omitempty"`
	// Output is the reader output wired to the door strike (default 0).
	Output int `json:"output,omitempty"`
	// Readers, when set, lists every reader of the door on the line (e.g. an
	// entry and an exit reader); the address of the external door id must be
	// one of them (its output is the one remote unlocks pulse). Unset: the
	// door has the one reader of the external door id, with Direction and
	// Output above.
	Readers []ReaderSetting `json:"readers,omitempty"`
}

// ReaderSetting is one reader of a door (Settings.Readers).
type ReaderSetting struct {
	Address *int `json:"address"`
	// Direction: IN or OUT (default: the settings' direction, else IN).
	Direction string `json:"direction,omitempty"`
	// Output wired to the strike (default: the settings' output).
	Output *int `json:"output,omitempty"`
}

// ReaderSpec is one resolved reader of a door binding.
type ReaderSpec struct {
	Address   byte
	Direction string
	Output    byte
}

// Binding is a parsed and checked OSDP door binding.
type Binding struct {
	// Ref is the external door id: the line and the door's main reader.
	Ref      DoorRef
	Settings Settings
	// Readers are the door's readers (at least the main one), by address.
	Readers []ReaderSpec
}

func fieldErr(field, format string, args ...any) error {
	return &hal.FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ParseBinding checks a whole door binding: the external door id
// ("line:address") and the settings, including the reader list.
func ParseBinding(externalDoorID string, raw json.RawMessage) (Binding, error) {
	var b Binding
	ref, err := ParseDoorID(externalDoorID)
	if err != nil {
		return b, &hal.FieldError{Field: "externalDoorId", Message: err.Error()}
	}
	set, err := ParseSettings(raw)
	if err != nil {
		return b, err
	}
	b.Ref, b.Settings = ref, set
	if len(set.Readers) == 0 {
		b.Readers = []ReaderSpec{{Address: ref.Address, Direction: set.Direction, Output: byte(set.Output)}}
		return b, nil
	}
	seen := map[byte]bool{}
	main := false
	for i, r := range set.Readers {
		f := fmt.Sprintf("settings.readers[%d]", i)
		if r.Address == nil || *r.Address < 0 || *r.Address > int(osdp.MaxAddress) {
			return b, fieldErr(f+".address", "required, 0–%d", osdp.MaxAddress)
		}
		addr := byte(*r.Address)
		if seen[addr] {
			return b, fieldErr(f+".address", "address %d is listed twice", addr)
		}
		seen[addr] = true
		main = main || addr == ref.Address
		dir := strings.ToUpper(strings.TrimSpace(r.Direction))
		if dir == "" {
			dir = set.Direction
		}
		if dir != "IN" && dir != "OUT" {
			return b, fieldErr(f+".direction", "must be IN or OUT")
		}
		out := set.Output
		if r.Output != nil {
			out = *r.Output
		}
		if out < 0 || out > 255 {
			return b, fieldErr(f+".output", "must be 0–255")
		}
		b.Readers = append(b.Readers, ReaderSpec{Address: addr, Direction: dir, Output: byte(out)})
	}
	if !main {
		return b, fieldErr("externalDoorId", "the address of %q must be one of settings.readers", externalDoorID)
	}
	return b, nil
}

// ValidateDoor implements hal.DoorValidator: PUT /api/access/zones/{id}/door
// refuses a binding the adapter could not run, naming the field.
func (a *Adapter) ValidateDoor(d hal.Door) error {
	_, err := ParseBinding(d.ExternalDoorID, d.Settings)
	return err
}

// DoorRef is a parsed external door id, "line:address": the line name groups
// the readers that share one connection (multi-drop), the address is the
// reader's OSDP address on it (0–126).
type DoorRef struct {
	Line    string
	Address byte
}

func (r DoorRef) String() string { return r.Line + ":" + strconv.Itoa(int(r.Address)) }

// ParseDoorID parses "line:address".
func ParseDoorID(s string) (DoorRef, error) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return DoorRef{}, errors.New(`external door id must be "line:address", e.g. "front:1"`)
	}
	line := strings.TrimSpace(s[:i])
	n, err := strconv.Atoi(strings.TrimSpace(s[i+1:]))
	if err != nil || n < 0 || n > int(osdp.MaxAddress) {
		return DoorRef{}, fmt.Errorf("reader address must be 0–%d", osdp.MaxAddress)
	}
	if line == "" || len(line) > 100 {
		return DoorRef{}, errors.New("line name must be 1–100 characters")
	}
	return DoorRef{Line: line, Address: byte(n)}, nil
}

// ParseSettings reads and checks a door binding's settings.
func ParseSettings(raw json.RawMessage) (Settings, error) {
	var s Settings
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &s); err != nil {
			return s, fieldErr("settings", "must be a JSON object with connection, baud, secure, direction, output, readers: %v", err)
		}
	}
	s.Connection = strings.TrimSpace(s.Connection)
	if s.Connection == "" {
		return s, fieldErr("settings.connection", `required ("tcp://host:port", "serial:///dev/ttyUSB0" or a device path)`)
	}
	if err := checkConnection(s.Connection); err != nil {
		return s, fieldErr("settings.connection", "%v", err)
	}
	if s.Baud == 0 {
		s.Baud = 9600
	}
	switch s.Baud {
	case 9600, 19200, 38400, 57600, 115200, 230400:
	default:
		return s, fieldErr("settings.baud", "must be 9600, 19200, 38400, 57600, 115200 or 230400")
	}
	s.Direction = strings.ToUpper(strings.TrimSpace(s.Direction))
	if s.Direction == "" {
		s.Direction = "IN"
	}
	if s.Direction != "IN" && s.Direction != "OUT" {
		return s, fieldErr("settings.direction", "must be IN or OUT")
	}
	if s.Output < 0 || s.Output > 255 {
		return s, fieldErr("settings.output", "must be 0–255")
	}
	return s, nil
}

// checkConnection checks the form of a connection string (not whether it
// answers): tcp://host:port with a port, serial://<absolute path> or an
// absolute device path.
func checkConnection(c string) error {
	switch {
	case strings.HasPrefix(c, "tcp://"):
		host, port, err := net.SplitHostPort(strings.TrimPrefix(c, "tcp://"))
		if err != nil || host == "" {
			return errors.New(`must be "tcp://host:port"`)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return errors.New("the TCP port must be 1–65535")
		}
	case strings.HasPrefix(c, "serial://"):
		if !strings.HasPrefix(strings.TrimPrefix(c, "serial://"), "/") {
			return errors.New(`must be "serial:///dev/…" (an absolute device path)`)
		}
	case strings.Contains(c, "://"):
		return errors.New(`unknown scheme: use "tcp://host:port" or "serial:///dev/…"`)
	case !strings.HasPrefix(c, "/"):
		return errors.New(`must be "tcp://host:port", "serial:///dev/…" or an absolute device path`)
	}
	return nil
}
