package pdsim

import (
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/osdp"
)

func nak(c osdp.NakCode) reply { return reply{r: osdp.Nak{Code: c}, plain: true} }

// process runs one command. It reports whether the reply must be sealed
// (the command arrived under the secure channel).
func (p *PD) process(f *osdp.Frame) (reply, bool) {
	switch f.SCBType() {
	case 0:
		if p.sess != nil {
			// A plaintext command ends the session, as on libosdp.
			p.sess = nil
		}
		return p.command(f), false
	case 0x11: // CHLNG
		return p.challenge(f), false
	case 0x13: // SCRYPT
		return p.scrypt(f), false
	case 0x15, 0x17:
		if p.sess == nil {
			return nak(osdp.NakSCConditions), false
		}
		if err := p.sess.OpenCommand(f); err != nil {
			p.sess = nil
			return nak(osdp.NakSCConditions), false
		}
		p.lastSC = time.Now()
		return p.command(f), true
	}
	return nak(osdp.NakSCConditions), false
}

func (p *PD) challenge(f *osdp.Frame) reply {
	p.sess, p.hs = nil, nil
	if f.Code != osdp.CmdChlng || len(f.SCB) < 2 {
		return nak(osdp.NakSCConditions)
	}
	c, err := osdp.DecodeCommand(f.Code, f.Data)
	if err != nil {
		return nak(osdp.NakLength)
	}
	ki := f.SCB[1]
	var key osdp.Key
	switch {
	case ki == osdp.KeyIndexDefault && p.key == nil:
		key = osdp.DefaultKey // install mode
	case ki == osdp.KeyIndexSCBK && p.key != nil:
		key = *p.key
	default:
		return nak(osdp.NakSCConditions)
	}
	p.received = append(p.received, f.Code)
	var cuid [8]byte
	copy(cuid[:], p.cfg.ID.OUI[:])
	cuid[3] = p.cfg.ID.Model
	hs, cc, err := osdp.AnswerChallenge(key, c.(osdp.Challenge), cuid)
	if err != nil {
		return nak(osdp.NakSCConditions)
	}
	p.hs = hs
	return reply{r: cc, scb: []byte{0x12, ki}}
}

func (p *PD) scrypt(f *osdp.Frame) reply {
	if f.Code != osdp.CmdSCrypt || p.hs == nil {
		return nak(osdp.NakSCConditions)
	}
	c, err := osdp.DecodeCommand(f.Code, f.Data)
	if err != nil {
		return nak(osdp.NakLength)
	}
	p.received = append(p.received, f.Code)
	sess, rmac, err := p.hs.VerifySCrypt(c.(osdp.SCrypt))
	p.hs = nil
	if err != nil {
		return nak(osdp.NakSCUnsupport)
	}
	p.sess, p.lastSC = sess, time.Now()
	return reply{r: rmac, scb: []byte{0x14, 0x01}}
}

// command executes an application command (plaintext or already opened).
func (p *PD) command(f *osdp.Frame) reply {
	cmd, err := osdp.DecodeCommand(f.Code, f.Data)
	if errors.Is(err, osdp.ErrUnknownCode) {
		return nak(osdp.NakUnknownCmd)
	}
	if err != nil {
		return nak(osdp.NakLength)
	}
	p.received = append(p.received, f.Code)
	switch c := cmd.(type) {
	case osdp.Poll:
		if len(p.pending) > 0 {
			r := p.pending[0]
			p.pending = p.pending[1:]
			return reply{r: r}
		}
		return reply{r: osdp.Ack{}}
	case osdp.IDRequest:
		return reply{r: p.cfg.ID}
	case osdp.CapRequest:
		return reply{r: osdp.PDCap{Capabilities: p.cfg.Capabilities}}
	case osdp.LocalStatusRequest:
		return reply{r: osdp.LocalStatus{Tamper: p.tamper, PowerFailure: p.power}}
	case osdp.InputStatusRequest:
		return reply{r: osdp.InputStatus{Inputs: append([]byte(nil), p.inputs...)}}
	case osdp.OutputStatusRequest:
		return reply{r: osdp.OutputStatus{Outputs: append([]byte(nil), p.outputs...)}}
	case osdp.ReaderStatusRequest:
		return reply{r: osdp.ReaderStatus{Readers: []byte{0}}}
	case osdp.OutputControl:
		for _, o := range c.Outputs {
			if int(o.Output) >= len(p.outputs) {
				return nak(osdp.NakRecord)
			}
		}
		for _, o := range c.Outputs {
			switch o.Control {
			case osdp.OutputPermOnAbort, osdp.OutputPermOnAfter, osdp.OutputTempOn:
				p.outputs[o.Output] = 1
			case osdp.OutputPermOffAbort, osdp.OutputPermOffAfter, osdp.OutputTempOff:
				p.outputs[o.Output] = 0
			}
		}
		p.outs = append(p.outs, c.Outputs...)
		return reply{r: osdp.Ack{}}
	case osdp.LEDControl:
		p.leds = append(p.leds, c.Records...)
		return reply{r: osdp.Ack{}}
	case osdp.BuzzerControl:
		p.buzzes = append(p.buzzes, c.Records...)
		return reply{r: osdp.Ack{}}
	case osdp.TextOutput:
		p.texts = append(p.texts, c)
		return reply{r: osdp.Ack{}}
	case osdp.ComSet:
		p.comsets = append(p.comsets, c)
		return reply{r: osdp.ComReply(c), after: func() *osdp.Key { p.addr = c.Address; return nil }}
	case osdp.KeySet:
		if p.sess == nil {
			return nak(osdp.NakSCConditions)
		}
		k := c.Key
		// The ACK goes out under the old session; then the new key takes
		// effect and the session ends, so the CP must handshake again.
		return reply{r: osdp.Ack{}, after: func() *osdp.Key {
			p.key, p.sess = &k, nil
			return &k
		}}
	case osdp.Manufacturer:
		p.mfgs = append(p.mfgs, c)
		return reply{r: osdp.MfgReply(c)}
	case osdp.ACURXSize, osdp.KeepActive:
		return reply{r: osdp.Ack{}}
	}
	return nak(osdp.NakUnknownCmd)
}
