package events_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// TestRelaySurvivesARealBrokerRestart stops and starts the local RabbitMQ node
// (rabbitmqctl stop_app / start_app) in the middle of a burst. It disturbs the
// broker for every client, so it runs only when GATEHOUSE_TEST_RABBITMQ_RESTART=1
// (CI sets it; no other test package uses RabbitMQ).
func TestRelaySurvivesARealBrokerRestart(t *testing.T) {
	url := amqpURL(t)
	if os.Getenv("GATEHOUSE_TEST_RABBITMQ_RESTART") != "1" {
		t.Skip("SKIP: set GATEHOUSE_TEST_RABBITMQ_RESTART=1 to restart the local RabbitMQ node during the test")
	}
	ctl, err := exec.LookPath("rabbitmqctl")
	if err != nil {
		storetest.SkipOrFail(t, "rabbitmqctl not found")
	}
	db := storetest.SQLite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// A durable queue keeps the persistent messages across the restart.
	const queue = "gatehouse.test.restart"
	const typ = "test.restart"
	setup := func() (*amqp.Connection, *amqp.Channel) {
		conn, err := amqp.Dial(url)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := conn.Channel()
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.ExchangeDeclare(events.Exchange, "topic", true, false, false, false, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
			t.Fatal(err)
		}
		if err := ch.QueueBind(queue, typ, events.Exchange, false, nil); err != nil {
			t.Fatal(err)
		}
		return conn, ch
	}
	conn, ch := setup()
	_, _ = ch.QueuePurge(queue, false)
	conn.Close()
	defer func() {
		if c, err := amqp.Dial(url); err == nil {
			if ch, err := c.Channel(); err == nil {
				_, _ = ch.QueueDelete(queue, false, false, false)
			}
			c.Close()
		}
	}()

	pub, err := events.NewAMQPPublisher(url)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	relay := events.NewRelay(db, pub, clock.System{})
	relay.Batch = 20
	em := events.NewEmitter(relay.Wake)
	go relay.Run(ctx)

	run := func(args ...string) {
		out, err := exec.CommandContext(ctx, ctl, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("rabbitmqctl %v: %v\n%s", args, err, out)
		}
	}
	const total = 200
	restarted := make(chan struct{})
	for i := range total {
		emit(t, db, em, typ, false)
		if i == 80 {
			run("stop_app") // the broker goes down mid-burst …
			go func() {
				time.Sleep(2 * time.Second)
				run("start_app") // … and comes back while changes keep coming
				close(restarted)
			}()
		}
		if i > 80 && i < 160 {
			time.Sleep(25 * time.Millisecond)
		}
	}
	<-restarted
	run("await_startup")

	conn, ch = setup()
	defer conn.Close()
	deliveries, err := ch.Consume(queue, "", true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	timeout := time.After(60 * time.Second)
	for len(got) < total {
		select {
		case d := <-deliveries:
			var e events.Event
			if err := json.Unmarshal(d.Body, &e); err != nil {
				t.Fatal(err)
			}
			got[e.ID] = true
		case <-timeout:
			t.Fatalf("received %d of %d events after the restart", len(got), total)
		}
	}
	t.Logf("all %d events arrived across a real broker restart", total)
}
