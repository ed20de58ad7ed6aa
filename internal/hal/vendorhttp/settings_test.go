package vendorhttp

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
)

func TestSettingsHelpers(t *testing.T) {
	for _, tc := range []struct {
		raw, def, want string
		ok             bool
	}{
		{"", "https://api.example.com", "https://api.example.com", true},
		{"", "", "", false},
		{"https://h.example/v1/", "", "https://h.example/v1", true},
		{"http://h.example", "x", "http://h.example", true},
		{"ftp://h.example", "", "", false},
		{"https://h.example/?a=1", "", "", false},
		{"/relative", "", "", false},
	} {
		got, err := BaseURL(tc.raw, tc.def)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("BaseURL(%q, %q) = %q, %v", tc.raw, tc.def, got, err)
		}
	}
	for s, want := range map[string]time.Duration{"": DefaultTimeout, "2s": 2 * time.Second, "5m": 5 * time.Minute, "0s": 0, "6m": 0, "x": 0} {
		if got, err := ParseTimeout(s); got != want || (err == nil) != (want > 0) {
			t.Errorf("ParseTimeout(%q) = %v, %v", s, got, err)
		}
	}
	for n, want := range map[int]int{0: 5, 1: 1, 3600: 3600, -1: 0, 3601: 0} {
		if got, err := PulseSeconds(n); got != want || (err == nil) != (want > 0) {
			t.Errorf("PulseSeconds(%d) = %v, %v", n, got, err)
		}
	}
	for id, ok := range map[string]bool{"42": true, " 7 ": true, "0": false, "-3": false, "ab": false, "": false} {
		_, err := PositiveDoorID(hal.Door{ExternalDoorID: id}, "a test id")
		if (err == nil) != ok {
			t.Errorf("PositiveDoorID(%q): %v", id, err)
		}
		var fe *hal.FieldError
		if fieldErr := DoorFieldError(err); (fieldErr == nil) != ok || (!ok && (!errors.As(fieldErr, &fe) || fe.Field != "externalDoorId" || fe.Message != "must be a test id (a positive number)")) {
			t.Errorf("DoorFieldError(%q) = %v", id, fieldErr)
		}
	}
}
