package gantner

import (
	"bufio"
	"context"
	"net"
	"net/http"

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

// Upgrade completes the WebSocket handshake of an already authenticated
// terminal and serves it under key (see TerminalKey) with decide, until the
// connection ends. Terminals send no browser Origin, so none is checked.
func (h *Hub) Upgrade(w http.ResponseWriter, r *http.Request, key string, decide Decider) {
	srv := websocket.Server{
		Handshake: func(*websocket.Config, *http.Request) error { return nil },
		Handler: func(ws *websocket.Conn) {
			_ = h.ServeWith(ws.Request().Context(), key, wsConn{ws}, decide)
		},
	}
	srv.ServeHTTP(hijacker{w}, r)
}

// hijacker gives x/net/websocket (which asserts http.Hijacker) the hijack of
// the innermost writer: the app's middleware wraps the ResponseWriter and
// exposes it only through Unwrap.
type hijacker struct{ http.ResponseWriter }

func (h hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(h.ResponseWriter).Hijack()
}

// DialConfig connects with a prepared config (headers such as Authorization),
// as a terminal would (tests, tools).
func DialConfig(ctx context.Context, cfg *websocket.Config) (Conn, error) {
	ws, err := cfg.DialContext(ctx)
	if err != nil {
		return nil, err
	}
	return wsConn{ws}, nil
}
