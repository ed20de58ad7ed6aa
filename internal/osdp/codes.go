package osdp

import "fmt"

// Command codes (CP to PD).
const (
	CmdPoll       = 0x60
	CmdID         = 0x61
	CmdCap        = 0x62
	CmdLStat      = 0x64
	CmdIStat      = 0x65
	CmdOStat      = 0x66
	CmdRStat      = 0x67
	CmdOut        = 0x68
	CmdLED        = 0x69
	CmdBuz        = 0x6A
	CmdText       = 0x6B
	CmdComSet     = 0x6E
	CmdKeySet     = 0x75
	CmdChlng      = 0x76
	CmdSCrypt     = 0x77
	CmdACURXSize  = 0x7B
	CmdMfg        = 0x80
	CmdKeepActive = 0xA7
)

// Reply codes (PD to CP).
const (
	ReplyAck    = 0x40
	ReplyNak    = 0x41
	ReplyPDID   = 0x45
	ReplyPDCap  = 0x46
	ReplyLStatR = 0x48
	ReplyIStatR = 0x49
	ReplyOStatR = 0x4A
	ReplyRStatR = 0x4B
	ReplyRaw    = 0x50
	ReplyKeypad = 0x53
	ReplyCom    = 0x54
	ReplyCCrypt = 0x76
	ReplyRMACI  = 0x78
	ReplyBusy   = 0x79
	ReplyMfgRep = 0x90
)

// Security control block types.
const (
	scsChlng    = 0x11 // CP: CHLNG
	scsCCrypt   = 0x12 // PD: CCRYPT
	scsSCrypt   = 0x13 // CP: SCRYPT
	scsRMACI    = 0x14 // PD: RMAC_I
	scsCmdMAC   = 0x15 // CP: MAC, data in clear
	scsReplyMAC = 0x16 // PD: MAC, data in clear
	scsCmdEnc   = 0x17 // CP: MAC + encrypted data
	scsReplyEnc = 0x18 // PD: MAC + encrypted data
)

// Key indicators carried in the handshake SCBs.
const (
	KeyIndexDefault = 0x00 // SCBK-D, install mode
	KeyIndexSCBK    = 0x01 // the PD's own SCBK
)

// NakCode is the reason byte of an osdp_NAK reply.
type NakCode byte

// NAK reasons.
const (
	NakNone         NakCode = 0
	NakCheck        NakCode = 1 // CRC or checksum
	NakLength       NakCode = 2
	NakUnknownCmd   NakCode = 3
	NakSequence     NakCode = 4
	NakSCUnsupport  NakCode = 5
	NakSCConditions NakCode = 6 // unsupported SCB or security conditions not met
	NakBioType      NakCode = 7
	NakBioFormat    NakCode = 8
	NakRecord       NakCode = 9
)

var nakNames = [...]string{"none", "check character", "command length", "unknown command",
	"sequence number", "secure channel unsupported", "security conditions not met",
	"biometric type", "biometric format", "unable to process record"}

func (c NakCode) String() string {
	if int(c) < len(nakNames) {
		return nakNames[c]
	}
	return fmt.Sprintf("nak(%d)", byte(c))
}

// linkFailure reports whether the NAK means the link (sequence or secure
// channel) is out of step, as opposed to the PD refusing one command.
func (c NakCode) linkFailure() bool {
	return c == NakSequence || c == NakSCUnsupport || c == NakSCConditions
}

var codeNames = map[bool]map[byte]string{
	false: {CmdPoll: "POLL", CmdID: "ID", CmdCap: "CAP", CmdLStat: "LSTAT", CmdIStat: "ISTAT",
		CmdOStat: "OSTAT", CmdRStat: "RSTAT", CmdOut: "OUT", CmdLED: "LED", CmdBuz: "BUZ",
		CmdText: "TEXT", CmdComSet: "COMSET", CmdKeySet: "KEYSET", CmdChlng: "CHLNG",
		CmdSCrypt: "SCRYPT", CmdACURXSize: "ACURXSIZE", CmdMfg: "MFG", CmdKeepActive: "KEEPACTIVE"},
	true: {ReplyAck: "ACK", ReplyNak: "NAK", ReplyPDID: "PDID", ReplyPDCap: "PDCAP",
		ReplyLStatR: "LSTATR", ReplyIStatR: "ISTATR", ReplyOStatR: "OSTATR", ReplyRStatR: "RSTATR",
		ReplyRaw: "RAW", ReplyKeypad: "KEYPAD", ReplyCom: "COM", ReplyCCrypt: "CCRYPT",
		ReplyRMACI: "RMAC_I", ReplyBusy: "BUSY", ReplyMfgRep: "MFGREP"},
}

// CodeName returns a mnemonic for a command (reply=false) or reply code,
// for logs.
func CodeName(code byte, reply bool) string {
	if s, ok := codeNames[reply][code]; ok {
		return s
	}
	return fmt.Sprintf("%#02x", code)
}
