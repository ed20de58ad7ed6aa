package gantner

import (
	"context"
	"net/http"
	"path"

	"golang.org/x/net/websocket"
)

// wsConn adapts a golang.org/x/net/websocket connection (text frames).
type wsConn struct{ ws *websocket.Conn }

func (c wsConn) ReadMessage() ([]byte, error) {
	var b []byte
	err := websocket.Message.Receive(c.ws, &b)
	return b, err
}

func (c wsConn) WriteMessage(b []byte) error { return websocket.Message.Send(c.ws, string(b)) }
func (c wsConn) Close() error                { return c.ws.Close() }

// Handler is the WebSocket endpoint terminals connect to; the last path
// segment is the terminal id (…/gantner/{terminalId}). It is NOT mounted in
// the app yet: terminals would need an authentication scheme first (see
// docs/door-adapters.md). Terminals send no browser Origin, so none is checked.
func (h *Hub) Handler() http.Handler {
	return websocket.Server{
		Handshake: func(*websocket.Config, *http.Request) error { return nil },
		Handler: func(ws *websocket.Conn) {
			id := path.Base(ws.Request().URL.Path)
			if !validTerminal(id) {
				_ = ws.Close()
				return
			}
			_ = h.Serve(ws.Request().Context(), id, wsConn{ws})
		},
	}
}

// Dial connects to a WebSocket URL as a terminal would (tests, tools).
func Dial(ctx context.Context, url string) (Conn, error) {
	cfg, err := websocket.NewConfig(url, "http://localhost/")
	if err != nil {
		return nil, err
	}
	ws, err := cfg.DialContext(ctx)
	if err != nil {
		return nil, err
	}
	return wsConn{ws}, nil
}
