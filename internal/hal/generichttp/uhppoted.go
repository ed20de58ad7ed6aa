package generichttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// ProfileUhppoted is the built-in profile for the uhppoted-REST API
// (OpenAPI "uhppoted" 0.8.x; base URL like http://host:8080/uhppote).
//
// Mapping (paths relative to baseUrl; external door ids are "device-id:door"):
//
//	unlock     PUT  /device/{device-id}/door/{door}/delay  {"delay": s}  (optional, see HoldOpen)
//	           POST /device/{device-id}/door/{door}/swipes {"card-number": n} → 200 {"door":{"opened":true}}
//	provision  PUT  /device/{device-id}/card/{card-number} {"start-date","end-date","doors"} per device
//	revoke     DELETE /device/{device-id}/card/{card-number} per device (404: already gone)
//	events     GET  /device/{device-id}/events, then GET /device/{device-id}/event/{index}, newest first
//	occupancy  not offered by the API (hal.Unsupported)
//
// The API has no timed hold-open: the swipe opens the door for the door's
// configured delay (seconds, 1..255). With HoldOpen "delay" the adapter first
// sets that delay to the requested hold-open time; the delay is a lasting
// controller setting, so later card swipes at that door use it too.
const ProfileUhppoted = "uhppoted"

// UhppotedOptions are the options of the uhppoted profile.
type UhppotedOptions struct {
	// Card is the card number presented by the open-door swipe. The API opens
	// a door only for a card that the controller allows at that door.
	Card string `json:"card"`
	// HoldOpen is "delay" (default: set the door delay before each swipe) or
	// "none" (leave the controller's delay alone).
	HoldOpen string `json:"holdOpen,omitempty"`
	// Doors is the number of doors per controller (1, 2 or 4; default 4).
	Doors int `json:"doors,omitempty"`
	// EventScan is how many controller events are read per event asked for
	// (events of a controller's other doors are skipped; default 4).
	EventScan int `json:"eventScan,omitempty"`
}

func uhppotedOpts(s *Settings) UhppotedOptions {
	o := UhppotedOptions{HoldOpen: "delay", Doors: 4, EventScan: 4}
	if s.Uhppoted != nil {
		if s.Uhppoted.Card != "" {
			o.Card = s.Uhppoted.Card
		}
		if s.Uhppoted.HoldOpen != "" {
			o.HoldOpen = s.Uhppoted.HoldOpen
		}
		if s.Uhppoted.Doors != 0 {
			o.Doors = s.Uhppoted.Doors
		}
		if s.Uhppoted.EventScan != 0 {
			o.EventScan = s.Uhppoted.EventScan
		}
	}
	return o
}

func uhppotedVars(s *Settings) map[string]string {
	o := uhppotedOpts(s)
	return map[string]string{
		"uhppotedCard":      o.Card,
		"uhppotedSetDelay":  strconv.FormatBool(o.HoldOpen == "delay"),
		"uhppotedDoors":     strconv.Itoa(o.Doors),
		"uhppotedEventScan": strconv.Itoa(o.EventScan),
	}
}

// uhppotedOperations returns the profile's operations for these settings.
func uhppotedOperations(s *Settings) (map[string]*Operation, error) {
	o := uhppotedOpts(s)
	var errs []error
	if o.Card == "" {
		errs = append(errs, errors.New("uhppoted.card: required: the card number the open-door swipe presents (it needs access to the doors)"))
	} else if _, err := toUint32(o.Card); err != nil {
		errs = append(errs, errors.New("uhppoted.card: must be a decimal card number"))
	}
	if o.HoldOpen != "delay" && o.HoldOpen != "none" {
		errs = append(errs, fmt.Errorf("uhppoted.holdOpen: %q is not \"delay\" or \"none\"", o.HoldOpen))
	}
	if o.Doors != 1 && o.Doors != 2 && o.Doors != 4 {
		errs = append(errs, errors.New("uhppoted.doors: must be 1, 2 or 4"))
	}
	if o.EventScan < 1 || o.EventScan > 16 {
		errs = append(errs, errors.New("uhppoted.eventScan: must be in 1..16"))
	}
	for _, id := range s.CredentialDoors {
		d := parseDoorID(id)
		_, devErr := toUint32(d.Device)
		if _, numErr := between(1, int64(o.Doors), d.Number); devErr != nil || numErr != nil {
			errs = append(errs, fmt.Errorf("credentialDoors: %q is not \"device-id:door\" with door 1..%d", id, o.Doors))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	const door = `/device/{{uint32 .Door.Device}}/door/{{between 1 (int .Vars.uhppotedDoors) .Door.Number}}`
	ops := map[string]*Operation{
		OpUnlock: {Steps: []Step{
			{
				If:     `{{and (eq .Vars.uhppotedSetDelay "true") (gt .HoldOpenSeconds 0)}}`,
				Method: "PUT", URL: door + "/delay",
				Body:   `{"delay": {{clamp 1 255 .HoldOpenSeconds}}}`,
				Expect: Expect{Status: []int{200}},
			},
			{
				Method: "POST", URL: door + "/swipes",
				Body:   `{"card-number": {{uint32 .Vars.uhppotedCard}}}`,
				Expect: Expect{Status: []int{200}, JSON: []JSONCheck{{Path: "door.opened", Equals: json.RawMessage("true")}}},
			},
		}},
		OpEvents: {
			Steps: []Step{
				{Method: "GET", URL: `/device/{{uint32 .Door.Device}}/events`, Expect: Expect{Status: []int{200}}},
				{
					ForEach: `{{countdown (get .Prev "events.last") (get .Prev "events.first") (mul .Limit .Vars.uhppotedEventScan)}}`,
					Method:  "GET", URL: `/device/{{uint32 .Door.Device}}/event/{{.Item}}`,
					Expect: Expect{Status: []int{200}},
					Ignore: []int{404}, // overwritten or not yet written
				},
			},
			Events: &EventMapping{
				Items: "event", At: "timestamp", TimeLayout: "2006-01-02 15:04:05",
				Kind: "access-granted", KindMap: map[string]string{"true": "ACCESS_GRANTED", "false": "ACCESS_DENIED"},
				DefaultKind: "EVENT",
				Door:        "door-id",
				Detail:      `card {{mask (get .Item "user-id")}}, event type {{get .Item "event-type"}}, result {{get .Item "event-result"}}`,
			},
		},
	}
	if len(s.CredentialDoors) > 0 {
		ops[OpProvision] = &Operation{
			Request: &Step{
				ForEach: "devices",
				Method:  "PUT", URL: `/device/{{uint32 .Item.ID}}/card/{{uint32 .Credential.Identifier}}`,
				Body: `{"start-date": {{date "2006-01-02" .Credential.ValidFrom}}, ` +
					`"end-date": {{if .Credential.ExpiresAt}}{{lastDay "2006-01-02" .Credential.ExpiresAt}}{{else}}{{"2099-12-31"}}{{end}}, ` +
					`"doors": {{doorMap .Item.Doors (int .Vars.uhppotedDoors)}}}`,
				Expect: Expect{Status: []int{200}},
			},
			ExternalID: `{{uint32 .Credential.Identifier}}`,
		}
		ops[OpRevoke] = &Operation{
			Request: &Step{
				ForEach: "devices",
				Method:  "DELETE", URL: `/device/{{uint32 .Item.ID}}/card/{{uint32 .ExternalID}}`,
				Expect: Expect{Status: []int{200}},
				Ignore: []int{404}, // no such card (already revoked)
			},
		}
	}
	return ops, nil
}
