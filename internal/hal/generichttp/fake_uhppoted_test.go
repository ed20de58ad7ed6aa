package generichttp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal/haltest"
	"github.com/gatehouse/gatehouse/internal/hal/vendortest"
)

// fakeUhppoted is a uhppoted-REST server written from the public OpenAPI
// document (uhppoted 0.8.x): the paths under /uhppote it uses, their bodies
// and status codes (404 unknown device or card, 405 invalid request, 401 a
// swipe the card may not make, 500 internal error). It keeps the controllers'
// state in memory and can be told to fail.
type fakeUhppoted struct {
	*httptest.Server

	mu       sync.Mutex
	devices  map[uint32]*fakeDevice
	user     string
	password string
	latency  time.Duration
	failWith int // every request answers this status (0: normal)
	requests []string
	unlocks  []haltest.Unlock // every controller, in order
	now      func() time.Time
}

type fakeDevice struct {
	cards  map[uint32]fakeCard
	delay  map[int]int // door → delay seconds
	events []fakeEvent // index i+1
}

type fakeCard struct {
	Start, End string
	Doors      map[string]any
}

type fakeEvent struct {
	Type    int
	Granted bool
	Door    int
	User    uint32
	At      time.Time
	Result  int
}

// newFakeUhppoted starts the server with the given controllers, each holding
// card 10058400 (the open-door card) with access to all doors.
func newFakeUhppoted(deviceIDs ...uint32) *fakeUhppoted {
	f := &fakeUhppoted{devices: map[uint32]*fakeDevice{}, user: "gatehouse", password: "s3cret-pass", now: time.Now}
	for _, id := range deviceIDs {
		f.devices[id] = &fakeDevice{
			cards: map[uint32]fakeCard{10058400: {Start: "2020-01-01", End: "2099-12-31", Doors: map[string]any{"1": true, "2": true, "3": true, "4": true}}},
			delay: map[int]int{1: 5, 2: 5, 3: 5, 4: 5},
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /uhppote/device/{id}", f.getDevice)
	mux.HandleFunc("GET /uhppote/device/{id}/door/{door}", f.getDoor)
	mux.HandleFunc("PUT /uhppote/device/{id}/door/{door}/delay", f.putDelay)
	mux.HandleFunc("POST /uhppote/device/{id}/door/{door}/swipes", f.swipe)
	mux.HandleFunc("GET /uhppote/device/{id}/cards", f.getCards)
	mux.HandleFunc("GET /uhppote/device/{id}/card/{card}", f.getCard)
	mux.HandleFunc("PUT /uhppote/device/{id}/card/{card}", f.putCard)
	mux.HandleFunc("DELETE /uhppote/device/{id}/card/{card}", f.deleteCard)
	mux.HandleFunc("GET /uhppote/device/{id}/events", f.getEventIndices)
	mux.HandleFunc("GET /uhppote/device/{id}/event/{index}", f.getEvent)
	f.Server = httptest.NewServer(f.middleware(mux))
	return f
}

func (f *fakeUhppoted) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		latency, fail := f.latency, f.failWith
		f.requests = append(f.requests, r.Method+" "+r.URL.EscapedPath())
		f.mu.Unlock()
		if !vendortest.Delay(r, latency) {
			return
		}
		if u, p, ok := r.BasicAuth(); !ok || u != f.user || p != f.password {
			w.Header().Set("WWW-Authenticate", `Basic realm="uhppoted"`)
			writeErr(w, http.StatusUnauthorized, "auth", "Invalid credentials")
			return
		}
		if fail != 0 {
			if fail == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "7")
			}
			writeErr(w, fail, "fake", "injected failure")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writeErr answers with the document's Error schema {tag, message}.
func writeErr(w http.ResponseWriter, status int, tag, msg string) {
	vendortest.WriteJSON(w, status, map[string]string{"tag": tag, "message": msg})
}

// device resolves {id}; the caller must hold f.mu.
func (f *fakeUhppoted) device(w http.ResponseWriter, r *http.Request, tag string) (*fakeDevice, uint32, bool) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 32)
	if err != nil {
		writeErr(w, http.StatusMethodNotAllowed, tag, "Invalid device ID")
		return nil, 0, false
	}
	d, ok := f.devices[uint32(id)]
	if !ok {
		writeErr(w, http.StatusNotFound, tag, fmt.Sprintf("No device with ID %d", id))
		return nil, 0, false
	}
	return d, uint32(id), true
}

func door(w http.ResponseWriter, r *http.Request, tag string) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("door"))
	if err != nil || n < 1 || n > 4 {
		writeErr(w, http.StatusMethodNotAllowed, tag, "Invalid door")
		return 0, false
	}
	return n, true
}

func (f *fakeUhppoted) getDevice(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, _, ok := f.device(w, r, "get-device"); ok {
		vendortest.WriteJSON(w, 200, map[string]any{"device": map[string]any{"device-type": "UTO311-L04", "ip-address": "192.168.1.50", "subnet-mask": "255.255.255.0", "gateway-address": "192.168.1.1", "mac-address": "00:12:23:34:45:56", "version": "0892", "date": f.now().Format("2006-01-02")}})
	}
}

func (f *fakeUhppoted) getDoor(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, _, ok := f.device(w, r, "get-door")
	if !ok {
		return
	}
	n, ok := door(w, r, "get-door")
	if ok {
		vendortest.WriteJSON(w, 200, map[string]any{"door": map[string]any{"delay": d.delay[n], "control": "controlled"}})
	}
}

func (f *fakeUhppoted) putDelay(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, _, ok := f.device(w, r, "set-door-delay")
	if !ok {
		return
	}
	n, ok := door(w, r, "set-door-delay")
	if !ok {
		return
	}
	var body struct {
		Delay *int `json:"delay"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Delay == nil || *body.Delay < 0 || *body.Delay > 255 {
		writeErr(w, http.StatusMethodNotAllowed, "set-door-delay", "Invalid door delay")
		return
	}
	d.delay[n] = *body.Delay
	vendortest.WriteJSON(w, 200, map[string]any{"delay": *body.Delay})
}

// swipe is openDoor: the card must be stored, valid today and allowed at the door.
func (f *fakeUhppoted) swipe(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, id, ok := f.device(w, r, "open-door")
	if !ok {
		return
	}
	n, ok := door(w, r, "open-door")
	if !ok {
		return
	}
	var body struct {
		Card *uint32 `json:"card-number"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Card == nil {
		writeErr(w, http.StatusMethodNotAllowed, "open-door", "Invalid card number")
		return
	}
	c, stored := d.cards[*body.Card]
	today := f.now().Format("2006-01-02")
	allowed := stored && c.Start <= today && today <= c.End && c.Doors[strconv.Itoa(n)] == true
	d.events = append(d.events, fakeEvent{Type: 1, Granted: allowed, Door: n, User: *body.Card, At: f.now(), Result: map[bool]int{true: 1, false: 6}[allowed]})
	if !allowed {
		writeErr(w, http.StatusUnauthorized, "open-door", fmt.Sprintf("Card %d does not have permission to open %d:%d", *body.Card, id, n))
		return
	}
	f.unlocks = append(f.unlocks, haltest.Unlock{ExternalDoorID: fmt.Sprintf("%d:%d", id, n), HoldOpen: time.Duration(d.delay[n]) * time.Second})
	vendortest.WriteJSON(w, 200, map[string]any{"door": map[string]any{"opened": true}})
}

func (f *fakeUhppoted) getCards(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, _, ok := f.device(w, r, "get-cards")
	if !ok {
		return
	}
	cards := []uint32{}
	for n := range d.cards {
		cards = append(cards, n)
	}
	vendortest.WriteJSON(w, 200, map[string]any{"cards": cards})
}

func cardNumber(w http.ResponseWriter, r *http.Request, tag string) (uint32, bool) {
	n, err := strconv.ParseUint(r.PathValue("card"), 10, 32)
	if err != nil {
		writeErr(w, http.StatusMethodNotAllowed, tag, "Invalid card number")
		return 0, false
	}
	return uint32(n), true
}

func (f *fakeUhppoted) getCard(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, _, ok := f.device(w, r, "get-card")
	if !ok {
		return
	}
	n, ok := cardNumber(w, r, "get-card")
	if !ok {
		return
	}
	c, ok := d.cards[n]
	if !ok {
		writeErr(w, http.StatusNotFound, "get-card", "No record for card")
		return
	}
	vendortest.WriteJSON(w, 200, map[string]any{"card": map[string]any{"card-number": n, "start-date": c.Start, "end-date": c.End, "doors": c.Doors, "PIN": 0}})
}

// putCard is the CardDetails body: start-date, end-date (yyyy-MM-dd) and doors
// (door number → true, false or a time profile id).
func (f *fakeUhppoted) putCard(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, _, ok := f.device(w, r, "put-card")
	if !ok {
		return
	}
	n, ok := cardNumber(w, r, "put-card")
	if !ok {
		return
	}
	var body struct {
		Start *string         `json:"start-date"`
		End   *string         `json:"end-date"`
		Doors map[string]any  `json:"doors"`
		PIN   *uint32         `json:"PIN"`
		Extra json.RawMessage `json:"card-number"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Start == nil || body.End == nil || body.Doors == nil {
		writeErr(w, http.StatusMethodNotAllowed, "put-card", "Invalid card details")
		return
	}
	start, err1 := time.Parse("2006-01-02", *body.Start)
	end, err2 := time.Parse("2006-01-02", *body.End)
	if err1 != nil || err2 != nil || end.Before(start) {
		writeErr(w, http.StatusMethodNotAllowed, "put-card", "Invalid card dates")
		return
	}
	for k, v := range body.Doors {
		door, err := strconv.Atoi(k)
		if err != nil || door < 1 || door > 4 {
			writeErr(w, http.StatusMethodNotAllowed, "put-card", "Invalid door")
			return
		}
		switch x := v.(type) {
		case bool:
		case float64:
			if x < 2 || x > 254 {
				writeErr(w, http.StatusMethodNotAllowed, "put-card", "Invalid time profile")
				return
			}
		default:
			writeErr(w, http.StatusMethodNotAllowed, "put-card", "Invalid door permission")
			return
		}
	}
	d.cards[n] = fakeCard{Start: *body.Start, End: *body.End, Doors: body.Doors}
	w.WriteHeader(http.StatusOK)
}

func (f *fakeUhppoted) deleteCard(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, _, ok := f.device(w, r, "delete-card")
	if !ok {
		return
	}
	n, ok := cardNumber(w, r, "delete-card")
	if !ok {
		return
	}
	if _, ok := d.cards[n]; !ok {
		writeErr(w, http.StatusNotFound, "delete-card", "No record for card")
		return
	}
	delete(d.cards, n)
	w.WriteHeader(http.StatusOK)
}

// getEventIndices answers {"events": {first, last, current}}; first and last
// are left out when the controller has no events.
func (f *fakeUhppoted) getEventIndices(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, _, ok := f.device(w, r, "get-events")
	if !ok {
		return
	}
	ev := map[string]any{"current": 0}
	if len(d.events) > 0 {
		ev = map[string]any{"first": 1, "last": len(d.events), "current": len(d.events)}
	}
	vendortest.WriteJSON(w, 200, map[string]any{"events": ev})
}

func (f *fakeUhppoted) getEvent(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, _, ok := f.device(w, r, "get-event")
	if !ok {
		return
	}
	i, err := strconv.Atoi(r.PathValue("index"))
	if err != nil {
		writeErr(w, http.StatusMethodNotAllowed, "get-event", "Invalid event index")
		return
	}
	if i < 1 || i > len(d.events) {
		writeErr(w, http.StatusNotFound, "get-event", "No event at index")
		return
	}
	e := d.events[i-1]
	vendortest.WriteJSON(w, 200, map[string]any{"event": map[string]any{
		"event-id": i, "event-type": e.Type, "access-granted": e.Granted, "door-id": e.Door,
		"door-opened": e.Granted, "user-id": e.User, "timestamp": e.At.Format("2006-01-02 15:04:05"), "event-result": e.Result,
	}})
}

// Test controls.

func (f *fakeUhppoted) setLatency(d time.Duration) { f.mu.Lock(); f.latency = d; f.mu.Unlock() }
func (f *fakeUhppoted) setFailure(status int)      { f.mu.Lock(); f.failWith = status; f.mu.Unlock() }

func (f *fakeUhppoted) Unlocks() []haltest.Unlock {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]haltest.Unlock(nil), f.unlocks...)
}

// HasCredential reports whether every controller holds the card.
func (f *fakeUhppoted) HasCredential(identifier string) bool {
	n, err := strconv.ParseUint(identifier, 10, 32)
	if err != nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.devices {
		if _, ok := d.cards[uint32(n)]; !ok {
			return false
		}
	}
	return len(f.devices) > 0
}

func (f *fakeUhppoted) card(device, card uint32) (fakeCard, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.devices[device]
	if !ok {
		return fakeCard{}, false
	}
	c, ok := d.cards[card]
	return c, ok
}

func (f *fakeUhppoted) requestLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}
