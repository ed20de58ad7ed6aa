package osdpdoor

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/osdp"
)

// Provider is the name zones use for OSDP readers.
const Provider = "OSDP"

// Settings are the door-binding settings of a zone bound to an OSDP reader
// (PUT /api/access/zones/{id}/door with provider OSDP).
//
//	{"connection": "tcp://10.0.0.5:4001", "baud": 9600, "secure": true,
//	 "direction": "IN", "output": 0}
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
			return s, errors.New("settings must be a JSON object with connection, baud, secure, direction, output")
		}
	}
	s.Connection = strings.TrimSpace(s.Connection)
	if s.Connection == "" {
		return s, errors.New(`settings.connection is required ("tcp://host:port" or a serial device)`)
	}
	if s.Baud == 0 {
		s.Baud = 9600
	}
	switch s.Baud {
	case 9600, 19200, 38400, 57600, 115200, 230400:
	default:
		return s, errors.New("settings.baud must be 9600, 19200, 38400, 57600, 115200 or 230400")
	}
	s.Direction = strings.ToUpper(strings.TrimSpace(s.Direction))
	if s.Direction == "" {
		s.Direction = "IN"
	}
	if s.Direction != "IN" && s.Direction != "OUT" {
		return s, errors.New("settings.direction must be IN or OUT")
	}
	if s.Output < 0 || s.Output > 255 {
		return s, errors.New("settings.output must be 0–255")
	}
	return s, nil
}
