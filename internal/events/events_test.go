package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func emit(t *testing.T, db *store.DB, em *events.Emitter, typ string, fail bool) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		if err := em.Emit(context.Background(), tx, 1, typ, time.Now(), map[string]int{"n": 1}); err != nil {
			return err
		}
		if fail {
			return errors.New("roll back")
		}
		return nil
	})
	if (err != nil) != fail {
		t.Fatalf("emit: %v", err)
	}
}

func TestEventsCommitWithTheirTransactionAndReachTheBus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		bus := events.NewBus(db)
		bus.Poll = 20 * time.Millisecond
		go bus.Run(ctx)
		time.Sleep(50 * time.Millisecond) // let the tail read the head
		sub := bus.Subscribe(func(e events.Event) bool { return e.Type == "test.kept" })
		defer sub.Close()
		em := events.NewEmitter(bus.Wake)
		emit(t, db, em, "test.dropped", true)
		emit(t, db, em, "test.kept", false)
		select {
		case e := <-sub.C:
			if e.ID == "" || e.EntityID != 1 || string(e.Data) != `{"n":1}` {
				t.Fatalf("unexpected event %+v", e)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("the bus did not deliver the committed event")
		}
		var n int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE type = 'test.dropped'`).Scan(&n)
		if n != 0 {
			t.Fatal("a rolled-back event was kept")
		}
		// A second process (another bus on the same database) sees it too.
		relay := events.NewRelay(db, nil, clock.System{})
		if moved, err := relay.RelayOnce(ctx); err != nil || moved != 1 {
			t.Fatalf("relay moved %d: %v", moved, err)
		}
	})
}

// proxy forwards TCP to RabbitMQ and can simulate the broker going away.
type proxy struct {
	ln       net.Listener
	upstream string
	mu       sync.Mutex
	down     bool
	conns    []net.Conn
}

func newProxy(t *testing.T, upstream string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, upstream: upstream}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.setDown(true) })
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		u, err := net.Dial("tcp", p.upstream)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(u, c); u.Close() }()
		go func() { _, _ = io.Copy(c, u); c.Close() }()
	}
}

// setDown cuts every connection (as a broker restart does) and refuses new ones
// while down.
func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

func amqpURL(t *testing.T) string {
	u := os.Getenv("GATEHOUSE_TEST_AMQP")
	if u == "" {
		storetest.SkipOrFail(t, "RabbitMQ tests need GATEHOUSE_TEST_AMQP=amqp://guest:guest@127.0.0.1:5672/")
	}
	return u
}

func TestRelayDeliversEveryEventAcrossABrokerOutage(t *testing.T) {
	url := amqpURL(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		// The consumer connects straight to the broker, bound before the burst.
		conn, err := amqp.Dial(url)
		if err != nil {
			storetest.SkipOrFail(t, "RabbitMQ unreachable: "+err.Error())
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.ExchangeDeclare(events.Exchange, "topic", true, false, false, false, nil); err != nil {
			t.Fatal(err)
		}
		q, err := ch.QueueDeclare("", false, true, true, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		typ := "test.outage." + string(db.Dialect())
		if err := ch.QueueBind(q.Name, typ, events.Exchange, false, nil); err != nil {
			t.Fatal(err)
		}
		deliveries, err := ch.Consume(q.Name, "", true, true, false, false, nil)
		if err != nil {
			t.Fatal(err)
		}

		u, _ := urlHost(url)
		px := newProxy(t, u)
		pub, err := events.NewAMQPPublisher(replaceHost(url, px.ln.Addr().String()))
		if err != nil {
			t.Fatal(err)
		}
		defer pub.Close()
		relay := events.NewRelay(db, pub, clock.System{})
		relay.Batch = 20
		em := events.NewEmitter(relay.Wake)
		go relay.Run(ctx)

		const total = 300
		for i := range total {
			emit(t, db, em, typ, false)
			if i > 100 && i < 200 {
				time.Sleep(10 * time.Millisecond) // changes keep coming for ~1 s of outage
			}
			switch i {
			case 100:
				px.setDown(true) // the broker goes away mid-burst
			case 200:
				px.setDown(false) // and comes back
			}
		}

		got := map[string]int{}
		timeout := time.After(30 * time.Second)
		for len(got) < total {
			select {
			case d := <-deliveries:
				var e events.Event
				if err := json.Unmarshal(d.Body, &e); err != nil {
					t.Fatal(err)
				}
				if d.MessageId != e.ID {
					t.Fatalf("message id %q differs from event id %q", d.MessageId, e.ID)
				}
				got[e.ID]++
			case <-timeout:
				t.Fatalf("received %d of %d events", len(got), total)
			}
		}
		dups := 0
		for _, n := range got {
			dups += n - 1
		}
		// The relay marks a batch after the broker confirmed it, so the consumer
		// may see the last batch a moment before the mark.
		var pending int
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE published_at IS NULL AND type = $1`, typ).Scan(&pending)
			if pending == 0 || time.Now().After(deadline) {
				break
			}
		}
		if pending != 0 {
			t.Fatalf("%d events still unpublished", pending)
		}
		// Delivery is at least once: a batch whose confirms were lost with the
		// connection is sent again. Consumers de-duplicate by id.
		t.Logf("all %d events arrived; %d duplicate deliveries", total, dups)
	})
}

// A transaction that took an earlier outbox id but commits after a later one
// (PostgreSQL sequences allow it) is still delivered by the bus.
func TestBusDeliversALateCommitWithAnEarlierID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() == store.SQLite {
			t.Skip("SQLite has one writer: ids always commit in order")
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		bus := events.NewBus(db)
		bus.Poll = 20 * time.Millisecond
		go bus.Run(ctx)
		time.Sleep(50 * time.Millisecond)
		sub := bus.Subscribe(func(e events.Event) bool { return strings.HasPrefix(e.Type, "test.order.") })
		defer sub.Close()
		em := events.NewEmitter(bus.Wake)

		inserted, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- db.InTx(ctx, func(tx *store.Tx) error {
				if err := em.Emit(ctx, tx, 1, "test.order.early", time.Now(), 1); err != nil {
					return err
				}
				close(inserted)
				<-release // hold the transaction open: its id is taken, not yet visible
				return nil
			})
		}()
		<-inserted
		emit(t, db, em, "test.order.late", false)
		want := map[string]bool{"test.order.late": true}
		got := <-waitEvent(t, sub)
		if !want[got.Type] {
			t.Fatalf("first delivered %s", got.Type)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if e := <-waitEvent(t, sub); e.Type != "test.order.early" {
			t.Fatalf("then delivered %s", e.Type)
		}
	})
}

func waitEvent(t *testing.T, sub *events.Subscription) <-chan events.Event {
	out := make(chan events.Event, 1)
	select {
	case e := <-sub.C:
		out <- e
	case <-time.After(3 * time.Second):
		t.Fatal("no event within 3 s")
	}
	return out
}
