package osdp_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), eventWait)
	t.Cleanup(cancel)
	return ctx
}

// Install mode: SCBK-D handshake, KEYSET of a key the provider stored,
// re-handshake with the new key; then a new bus with the stored key
// connects without KEYSET.
func TestInstallModeKeysetAndRehandshake(t *testing.T) {
	sim := pdsim.New(pdsim.Config{Address: 1})
	h := startBus(t, pipePair(t, sim), fastConfig(), osdp.PDConfig{Address: 1, Secure: true})

	waitEvent[osdp.EventProvisioned](h, 1, nil)
	stored, ok := h.storedKey(1)
	if !ok {
		t.Fatal("provisioned without the KeyProvider storing a key")
	}
	online := waitEvent[osdp.EventOnline](h, 1, nil)
	if !online.Secure {
		t.Fatal("online without secure channel")
	}
	if got, ok := sim.Key(); !ok || got != stored {
		t.Fatal("PD key differs from the key the provider stored")
	}
	codes := sim.Received()
	if i := slices.Index(codes, osdp.CmdKeySet); i < 0 || !slices.Contains(codes[i:], osdp.CmdChlng) {
		t.Fatalf("expected KEYSET followed by a new CHLNG, got % x", codes)
	}
	if err := h.bus.LED(ctxT(t), 1, osdp.SteadyLED(0, 0, osdp.ColorGreen)); err != nil {
		t.Fatal(err)
	}
	h.stop()

	// Reconnect with the persisted key: no second KEYSET.
	before := len(sim.Received())
	h2 := startBus(t, pipePair(t, sim), fastConfig(), osdp.PDConfig{Address: 1, Secure: true, SCBK: &stored})
	if e := waitEvent[osdp.EventOnline](h2, 1, nil); !e.Secure {
		t.Fatal("second session not secure")
	}
	if slices.Contains(sim.Received()[before:], osdp.CmdKeySet) {
		t.Fatal("KEYSET sent to an already provisioned PD")
	}
}

// The provider failing (e.g. the database is down) must leave the PD
// unprovisioned and offline, never online with SCBK-D.
func TestKeyProviderFailureKeepsPDOffline(t *testing.T) {
	sim := pdsim.New(pdsim.Config{Address: 2})
	cfg := fastConfig()
	cfg.KeyProvider = func(context.Context, byte, osdp.PDID) (osdp.Key, error) {
		return osdp.Key{}, errors.New("store unavailable")
	}
	h := startBus(t, pipePair(t, sim), cfg, osdp.PDConfig{Address: 2, Secure: true})
	off := waitEvent[osdp.EventOffline](h, 2, nil)
	if off.Err == nil {
		t.Fatal("offline event without reason")
	}
	noEvent[osdp.EventOnline](h, 2, 200*time.Millisecond)
	if _, ok := sim.Key(); ok {
		t.Fatal("PD got a key although the provider failed")
	}
	if slices.Contains(sim.Received(), osdp.CmdKeySet) {
		t.Fatal("KEYSET sent without a stored key")
	}
}

// A secure reader is never used in plaintext: neither when it lacks the
// capability nor when the handshake fails.
func TestSecureNeverFallsBackToPlaintext(t *testing.T) {
	t.Run("no SC capability", func(t *testing.T) {
		caps := slices.DeleteFunc(pdsim.DefaultCapabilities(2, 2), func(c osdp.Capability) bool {
			return c.Function == osdp.CapCommSecurity
		})
		sim := pdsim.New(pdsim.Config{Address: 3, Capabilities: caps})
		h := startBus(t, pipePair(t, sim), fastConfig(), osdp.PDConfig{Address: 3, Secure: true})
		if e := waitEvent[osdp.EventOffline](h, 3, nil); !errors.Is(e.Err, osdp.ErrSecureUnsupported) {
			t.Fatalf("err = %v", e.Err)
		}
		if err := h.bus.LED(ctxT(t), 3, osdp.SteadyLED(0, 0, osdp.ColorRed)); !errors.Is(err, osdp.ErrOffline) {
			t.Fatalf("LED to unsecured PD: err = %v", err)
		}
		assertOnlyDiscovery(t, sim)
	})
	t.Run("wrong key", func(t *testing.T) {
		sim := newSecurePD(4, testKey(1))
		wrong := testKey(2)
		h := startBus(t, pipePair(t, sim), fastConfig(), osdp.PDConfig{Address: 4, Secure: true, SCBK: &wrong})
		if e := waitEvent[osdp.EventOffline](h, 4, nil); !errors.Is(e.Err, osdp.ErrSecureChannel) {
			t.Fatalf("err = %v", e.Err)
		}
		noEvent[osdp.EventOnline](h, 4, 150*time.Millisecond)
		assertOnlyDiscovery(t, sim)
	})
}

func assertOnlyDiscovery(t *testing.T, sim *pdsim.PD) {
	t.Helper()
	for _, c := range sim.Received() {
		switch c {
		case osdp.CmdID, osdp.CmdCap, osdp.CmdChlng, osdp.CmdSCrypt:
		default:
			t.Fatalf("PD received %s outside a secure channel", osdp.CodeName(c, false))
		}
	}
}

// Card, keypad, status events reach the CP and the CP's output commands
// reach the PD, over TCP loopback with the secure channel.
func TestEventsAndCommandsOverTCP(t *testing.T) {
	key := testKey(10)
	sim := pdsim.New(pdsim.Config{Address: 5, SCBK: &key, SCTimeout: 150 * time.Millisecond})
	h := startBus(t, tcpPair(t, sim), fastConfig(), osdp.PDConfig{Address: 5, Secure: true, SCBK: &key})
	if e := waitEvent[osdp.EventOnline](h, 5, nil); !e.Secure || e.ID.Serial != 0x1005 || !e.Cap.SecureChannel() {
		t.Fatalf("online event = %+v", e)
	}

	if err := sim.PresentWiegand(osdp.FormatH10301, 42, 31337); err != nil {
		t.Fatal(err)
	}
	card := waitEvent[osdp.EventCard](h, 5, nil)
	if id := osdp.CardIdentifier(card.Card); id != "H10301:42:31337" {
		t.Fatalf("card identifier = %q", id)
	}
	if card.Card.Bits != 26 || card.Card.CardFormat != osdp.RawFormatWiegand {
		t.Fatalf("card bits/format = %d/%d", card.Card.Bits, card.Card.CardFormat)
	}

	sim.TypeKeys("1234#")
	kp := waitEvent[osdp.EventKeypad](h, 5, nil)
	if got := osdp.KeypadText(kp.Keypad.Keys); got != "1234#" {
		t.Fatalf("keypad = %q", got)
	}

	sim.SetTamper(true)
	if e := waitEvent[osdp.EventLocalStatus](h, 5, nil); !e.Tamper || e.PowerFailure {
		t.Fatalf("status = %+v", e)
	}
	sim.SetInput(1, true)
	if e := waitEvent[osdp.EventInputs](h, 5, nil); !bytes.Equal(e.Inputs, []byte{0, 1}) {
		t.Fatalf("inputs = %v", e.Inputs)
	}

	ctx := ctxT(t)
	if err := h.bus.PulseOutput(ctx, 5, 1, 2500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	led := osdp.FlashLED(0, 0, osdp.ColorGreen, osdp.ColorBlack, time.Second)
	if err := h.bus.LED(ctx, 5, led); err != nil {
		t.Fatal(err)
	}
	if err := h.bus.Buzz(ctx, 5, osdp.Beep(0, 300*time.Millisecond, 2)); err != nil {
		t.Fatal(err)
	}
	if err := h.bus.Text(ctx, 5, osdp.TextOutput{Control: osdp.TextTempNoWrap, TempTime: 3, Text: "DENIED"}); err != nil {
		t.Fatal(err)
	}
	rep, err := h.bus.Mfg(ctx, 5, osdp.Manufacturer{OUI: [3]byte{1, 2, 3}, Data: []byte{9}})
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := rep.(osdp.MfgReply); !ok || !bytes.Equal(m.Data, []byte{9}) {
		t.Fatalf("MFG reply = %T", rep)
	}

	if got := sim.OutputCommands(); len(got) != 1 || got[0] != (osdp.OutputCommand{Output: 1, Control: osdp.OutputTempOn, Timer: 25}) {
		t.Fatalf("outputs = %+v", got)
	}
	if got := sim.LEDs(); len(got) != 1 || got[0] != led {
		t.Fatalf("LEDs = %+v", got)
	}
	if got := sim.Buzzes(); len(got) != 1 || got[0].Count != 2 || got[0].On != 3 {
		t.Fatalf("buzzes = %+v", got)
	}
	if got := sim.Texts(); len(got) != 1 || got[0].Text != "DENIED" {
		t.Fatalf("texts = %+v", got)
	}

	// The PD drops SC after 150 ms without a secure command; continuous
	// polling must keep it up.
	time.Sleep(400 * time.Millisecond)
	if !sim.Secure() {
		t.Fatal("secure channel lapsed despite polling")
	}
	noEvent[osdp.EventOffline](h, 5, 50*time.Millisecond)
	if st, _ := h.bus.Status(5); !st.Online || !st.Secure {
		t.Fatalf("status = %+v", st)
	}
}

// A NAK for an application command is reported to the caller and leaves
// the link alone.
func TestApplicationNakKeepsLinkUp(t *testing.T) {
	key := testKey(20)
	sim := newSecurePD(6, key)
	h := startBus(t, pipePair(t, sim), fastConfig(), osdp.PDConfig{Address: 6, Secure: true, SCBK: &key})
	waitEvent[osdp.EventOnline](h, 6, nil)

	err := h.bus.PulseOutput(ctxT(t), 6, 9, time.Second) // the PD has 2 outputs
	var nak *osdp.NakError
	if !errors.As(err, &nak) || nak.Code != osdp.NakRecord || nak.Cmd != osdp.CmdOut {
		t.Fatalf("err = %v, want NAK(9) for OUT", err)
	}
	if err := h.bus.PulseOutput(ctxT(t), 6, 0, time.Second); err != nil {
		t.Fatalf("command after NAK: %v", err)
	}
	noEvent[osdp.EventOffline](h, 6, 100*time.Millisecond)
}

// BUSY replies make the CP resend the same command later.
func TestBusyIsRetried(t *testing.T) {
	sim := pdsim.New(pdsim.Config{Address: 7})
	h := startBus(t, pipePair(t, sim), fastConfig(), osdp.PDConfig{Address: 7})
	if e := waitEvent[osdp.EventOnline](h, 7, nil); e.Secure {
		t.Fatal("plaintext PD reported secure")
	}
	sim.ReplyBusy(3)
	if err := h.bus.LED(ctxT(t), 7, osdp.SteadyLED(0, 0, osdp.ColorBlue)); err != nil {
		t.Fatal(err)
	}
	if n := len(sim.LEDs()); n != 1 {
		t.Fatalf("LED applied %d times", n)
	}
}

// A lost reply is recovered by resending the identical frame; the PD
// replays its cached reply and applies the command only once, and the MAC
// chain stays in step.
func TestLostReplyRetransmitsIdenticalFrame(t *testing.T) {
	key := testKey(30)
	sim := newSecurePD(8, key)
	cp, pdSide := netPipe()
	fc := &faultyConn{ReadWriteCloser: pdSide}
	serveSim(t, fc, sim)
	h := startBus(t, cp, fastConfig(), osdp.PDConfig{Address: 8, Secure: true, SCBK: &key})
	waitEvent[osdp.EventOnline](h, 8, nil)

	dropped := make(chan struct{})
	var done bool
	fc.setMangle(func(b []byte) []byte {
		// Drop the reply to OUT: the first write after the PD applied it.
		if !done && len(sim.OutputCommands()) == 1 {
			done = true
			close(dropped)
			return nil
		}
		return b
	})
	if err := h.bus.PulseOutput(ctxT(t), 8, 0, time.Second); err != nil {
		t.Fatal(err)
	}
	mustAwait(t, dropped, eventWait, "the OUT reply to be dropped")
	fc.setMangle(nil)
	if n := len(sim.OutputCommands()); n != 1 {
		t.Fatalf("OUT applied %d times", n)
	}
	if st := h.bus.Stats(); st.Retries == 0 {
		t.Fatalf("no retry recorded: %+v", st)
	}
	if err := h.bus.LED(ctxT(t), 8, osdp.SteadyLED(0, 0, osdp.ColorGreen)); err != nil {
		t.Fatalf("MAC chain out of step after retransmission: %v", err)
	}
}

// A PD that goes silent is declared offline after OfflineTimeout and comes
// back online (re-running the handshake) when it answers again.
func TestSilentPDGoesOfflineAndReturns(t *testing.T) {
	key := testKey(40)
	sim := newSecurePD(9, key)
	cfg := fastConfig()
	h := startBus(t, pipePair(t, sim), cfg, osdp.PDConfig{Address: 9, Secure: true, SCBK: &key})
	waitEvent[osdp.EventOnline](h, 9, nil)

	start := time.Now()
	sim.SetSilent(true)
	off := waitEvent[osdp.EventOffline](h, 9, nil)
	elapsed := time.Since(start)
	if !errors.Is(off.Err, osdp.ErrTimeout) {
		t.Fatalf("offline reason = %v", off.Err)
	}
	// Never early; late only by scheduling delay, which a loaded CI runner
	// (the whole suite under -race on two cores) stretches to seconds.
	if elapsed < cfg.OfflineTimeout-50*time.Millisecond || elapsed > cfg.OfflineTimeout+3*time.Second {
		t.Fatalf("offline after %v, want about %v", elapsed, cfg.OfflineTimeout)
	}
	if err := h.bus.LED(ctxT(t), 9, osdp.SteadyLED(0, 0, osdp.ColorRed)); !errors.Is(err, osdp.ErrOffline) {
		t.Fatalf("command to offline PD: err = %v", err)
	}
	// Probes continue with short back-off: several while silent, one event.
	noEvent[osdp.EventOffline](h, 9, 3*cfg.ReconnectMax)

	sim.SetSilent(false)
	if e := waitEvent[osdp.EventOnline](h, 9, nil); !e.Secure {
		t.Fatal("came back without secure channel")
	}
	if err := h.bus.LED(ctxT(t), 9, osdp.SteadyLED(0, 0, osdp.ColorGreen)); err != nil {
		t.Fatal(err)
	}
}

// Corrupted bytes from the PD (noise on the line) are discarded by the
// parser and recovered by retries; the link survives.
func TestCorruptedStreamRecovers(t *testing.T) {
	key := testKey(50)
	sim := newSecurePD(10, key)
	cp, pdSide := netPipe()
	fc := &faultyConn{ReadWriteCloser: pdSide}
	serveSim(t, fc, sim)
	h := startBus(t, cp, fastConfig(), osdp.PDConfig{Address: 10, Secure: true, SCBK: &key})
	waitEvent[osdp.EventOnline](h, 10, nil)

	var n int
	fc.setMangle(func(b []byte) []byte {
		n++
		switch n % 4 {
		case 1:
			b[len(b)/2] ^= 0x5A // flip bits inside the frame
		case 2:
			b = append([]byte{0x53, 0x00, 0x53, 0x0F, 0xFF}, b...) // garbage and a fake SOM first
		}
		return b
	})
	time.Sleep(100 * time.Millisecond)
	if err := sim.PresentWiegand(osdp.FormatH10304, 1000, 123456); err != nil {
		t.Fatal(err)
	}
	card := waitEvent[osdp.EventCard](h, 10, nil)
	if id := osdp.CardIdentifier(card.Card); id != "H10304:1000:123456" {
		t.Fatalf("card = %q", id)
	}
	fc.setMangle(nil)
	if st := h.bus.Stats(); st.Retries == 0 || st.Timeouts == 0 {
		t.Fatalf("corruption did not cause retries: %+v", st)
	}
	if err := h.bus.Buzz(ctxT(t), 10, osdp.Beep(0, 100*time.Millisecond, 1)); err != nil {
		t.Fatal(err)
	}
	noEvent[osdp.EventOffline](h, 10, 50*time.Millisecond)
}

// Two PDs share one line: each answers only its own address, events are
// attributed correctly and commands reach only their target.
func TestMultiDropTwoPDs(t *testing.T) {
	key := testKey(60)
	a := newSecurePD(0x11, key)
	b := pdsim.New(pdsim.Config{Address: 0x12}) // plaintext reader on the same line
	h := startBus(t, pipePair(t, a, b), fastConfig(),
		osdp.PDConfig{Address: 0x11, Secure: true, SCBK: &key}, osdp.PDConfig{Address: 0x12})
	waitOnline := map[byte]bool{}
	deadline := time.After(eventWait) // for both: events must not extend it
	for len(waitOnline) < 2 {
		select {
		case e := <-h.events:
			if on, ok := e.(osdp.EventOnline); ok {
				waitOnline[on.Addr] = true
			}
		case <-deadline:
			t.Fatalf("both PDs did not come online; online: %v", waitOnline)
		}
	}
	if err := b.PresentWiegand(osdp.FormatCorporate1K, 77, 888); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent[osdp.EventCard](h, 0x12, nil); osdp.CardIdentifier(e.Card) != "C1000-35:77:888" {
		t.Fatal("card from PD 0x12 misattributed or misdecoded")
	}
	if err := h.bus.LED(ctxT(t), 0x12, osdp.SteadyLED(0, 0, osdp.ColorAmber)); err != nil {
		t.Fatal(err)
	}
	if err := h.bus.PulseOutput(ctxT(t), 0x11, 0, time.Second); err != nil {
		t.Fatal(err)
	}
	if len(a.LEDs()) != 0 || len(b.LEDs()) != 1 || len(a.OutputCommands()) != 1 || len(b.OutputCommands()) != 0 {
		t.Fatal("commands reached the wrong PD")
	}
	if _, err := h.bus.Send(ctxT(t), 0x33, osdp.Poll{}); !errors.Is(err, osdp.ErrUnknownPD) {
		t.Fatalf("unknown PD: err = %v", err)
	}
}

// COMSET moves the PD; the bus follows the new address.
func TestComSetFollowsAddress(t *testing.T) {
	sim := pdsim.New(pdsim.Config{Address: 0x20})
	h := startBus(t, pipePair(t, sim), fastConfig(), osdp.PDConfig{Address: 0x20})
	waitEvent[osdp.EventOnline](h, 0x20, nil)
	c, err := h.bus.ComSet(ctxT(t), 0x20, 0x21, 115200)
	if err != nil || c.Address != 0x21 {
		t.Fatalf("COMSET = %+v, %v", c, err)
	}
	if err := h.bus.LED(ctxT(t), 0x21, osdp.SteadyLED(0, 0, osdp.ColorWhite)); err != nil {
		t.Fatal(err)
	}
	if sim.Address() != 0x21 || len(sim.LEDs()) != 1 {
		t.Fatal("PD did not move or did not get the LED command")
	}
}

// SetKey rotates the key of an online secure PD.
func TestSetKeyRotation(t *testing.T) {
	oldKey, newKey := testKey(70), testKey(71)
	sim := newSecurePD(0x30, oldKey)
	h := startBus(t, pipePair(t, sim), fastConfig(), osdp.PDConfig{Address: 0x30, Secure: true, SCBK: &oldKey})
	waitEvent[osdp.EventOnline](h, 0x30, nil)
	if err := h.bus.SetKey(ctxT(t), 0x30, newKey); err != nil {
		t.Fatal(err)
	}
	waitEvent[osdp.EventProvisioned](h, 0x30, nil)
	if k, _ := sim.Key(); k != newKey {
		t.Fatal("PD key not rotated")
	}
	if err := h.bus.LED(ctxT(t), 0x30, osdp.SteadyLED(0, 0, osdp.ColorGreen)); err != nil {
		t.Fatal(err)
	}
}
