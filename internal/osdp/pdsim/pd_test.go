package pdsim

import (
	"bytes"
	"testing"

	"go.uber.org/goleak"

	"github.com/gatehouse/gatehouse/internal/osdp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// cmd encodes and decodes a command frame as the PD would receive it.
func cmd(t *testing.T, addr, seq byte, c osdp.Command) osdp.Frame {
	t.Helper()
	data, err := c.MarshalData()
	if err != nil {
		t.Fatal(err)
	}
	f := osdp.Frame{Addr: addr, Seq: seq, CRC: true, Code: c.CommandCode(), Data: data}
	wire, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	g, err := osdp.DecodeFrame(wire)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func replyOf(t *testing.T, b []byte) (osdp.Frame, osdp.Reply) {
	t.Helper()
	f, err := osdp.DecodeFrame(b)
	if err != nil {
		t.Fatal(err)
	}
	r, err := osdp.DecodeReply(f.Code, f.Data)
	if err != nil {
		t.Fatal(err)
	}
	return f, r
}

func TestRetransmitReplaysCachedReplyOnce(t *testing.T) {
	p := New(Config{Address: 1})
	p.Handle(cmd(t, 1, 0, osdp.IDRequest{}), 1)
	out := cmd(t, 1, 1, osdp.PulseOutput(0, 0))
	first := p.Handle(out, 1)
	again := p.Handle(out, 1)
	if !bytes.Equal(first, again) {
		t.Fatal("retransmission did not replay the cached reply")
	}
	if n := len(p.OutputCommands()); n != 1 {
		t.Fatalf("OUT applied %d times", n)
	}
}

func TestWrongSequenceIsNaked(t *testing.T) {
	p := New(Config{Address: 1})
	p.Handle(cmd(t, 1, 0, osdp.Poll{}), 1)
	f, r := replyOf(t, p.Handle(cmd(t, 1, 3, osdp.Poll{}), 1))
	if nak, ok := r.(osdp.Nak); !ok || nak.Code != osdp.NakSequence || f.Seq != 3 {
		t.Fatalf("reply = %T %+v", r, r)
	}
}

func TestDispatchIgnoresOthers(t *testing.T) {
	a, b := New(Config{Address: 1}), New(Config{Address: 2})
	if out := dispatch(cmd(t, 3, 0, osdp.Poll{}), []*PD{a, b}); out != nil {
		t.Fatal("answered a frame for another address")
	}
	reply := osdp.Frame{Addr: 1, Reply: true, CRC: true, Code: osdp.ReplyAck}
	wire, _ := reply.Encode()
	rf, _ := osdp.DecodeFrame(wire)
	if out := dispatch(rf, []*PD{a, b}); out != nil {
		t.Fatal("answered another PD's reply")
	}
	if out := dispatch(cmd(t, osdp.AddrBroadcast, 0, osdp.Poll{}), []*PD{a, b}); out != nil {
		t.Fatal("answered a broadcast on a shared line")
	}
	out := dispatch(cmd(t, osdp.AddrBroadcast, 0, osdp.Poll{}), []*PD{a})
	if f, _ := replyOf(t, out); f.Addr != osdp.AddrBroadcast || !f.Reply {
		t.Fatal("single PD must answer a broadcast as 0xFF")
	}
	if out := dispatch(cmd(t, 2, 0, osdp.Poll{}), []*PD{a, b}); out == nil {
		t.Fatal("PD 2 did not answer")
	}
}

func TestKeySetRefusedInPlaintext(t *testing.T) {
	p := New(Config{Address: 1})
	p.Handle(cmd(t, 1, 0, osdp.Poll{}), 1)
	_, r := replyOf(t, p.Handle(cmd(t, 1, 1, osdp.KeySet{Key: osdp.Key{1}}), 1))
	if nak, ok := r.(osdp.Nak); !ok || nak.Code != osdp.NakSCConditions {
		t.Fatalf("reply = %T", r)
	}
	if _, ok := p.Key(); ok {
		t.Fatal("key installed over plaintext")
	}
}

func TestSilentPDSaysNothing(t *testing.T) {
	p := New(Config{Address: 1})
	p.SetSilent(true)
	if out := p.Handle(cmd(t, 1, 0, osdp.Poll{}), 1); out != nil {
		t.Fatal("silent PD answered")
	}
}
