// Package osdp implements the control-panel (CP) side of the OSDP v2
// (SIA Open Supervised Device Protocol) stack: framing, the command and reply
// set, the AES-128 secure channel, a multi-drop bus driver and Wiegand card
// decoding. The companion package pdsim provides a peripheral (PD) simulator
// that speaks the same wire protocol, used by tests and by developers without
// reader hardware.
//
// Layering, bottom up:
//
//	crc.go, frame.go, parser.go   bytes <-> Frame (no protocol state)
//	commands.go, replies.go       Frame payload <-> typed Go structs
//	secure.go, session.go         key derivation, cryptograms, MAC, AES-CBC
//	link.go                       one request/response exchange on a stream
//	bus.go, bus_pd.go             CP scheduler and per-PD state machine
//	tools.go                      scan and keyset helpers for the CLI
//
// Card data and keys are secrets: every type carrying them redacts itself
// when formatted, and no error or log message includes them.
package osdp
