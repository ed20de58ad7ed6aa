package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Exchange is the RabbitMQ topic exchange events go to; the routing key is the
// event type (checkin.granted, member.created …).
const Exchange = "gatehouse.events"

// AMQPPublisher publishes to RabbitMQ with publisher confirms. It (re)connects
// lazily: after a broker restart the next Publish dials again, so the relay's
// retry is all the reconnect logic needed.
type AMQPPublisher struct {
	url  string
	mu   sync.Mutex
	conn *amqp.Connection
	ch   *amqp.Channel
}

// NewAMQPPublisher returns a publisher for an amqp:// URL. It does not connect yet.
func NewAMQPPublisher(rawURL string) (*AMQPPublisher, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "amqp" && u.Scheme != "amqps") {
		return nil, fmt.Errorf("the AMQP URL must look like amqp://user:pass@host:5672/")
	}
	return &AMQPPublisher{url: rawURL}, nil
}

func (p *AMQPPublisher) connect() error {
	if p.conn != nil && !p.conn.IsClosed() && p.ch != nil && !p.ch.IsClosed() {
		return nil
	}
	p.reset()
	conn, err := amqp.DialConfig(p.url, amqp.Config{Dial: amqp.DefaultDial(5 * time.Second), Heartbeat: 10 * time.Second})
	if err != nil {
		return fmt.Errorf("connect to RabbitMQ: %w", redact(err))
	}
	ch, err := conn.Channel()
	if err != nil {
		conn.Close()
		return fmt.Errorf("open channel: %w", err)
	}
	if err := ch.ExchangeDeclare(Exchange, "topic", true, false, false, false, nil); err != nil {
		conn.Close()
		return fmt.Errorf("declare exchange %s: %w", Exchange, err)
	}
	if err := ch.Confirm(false); err != nil {
		conn.Close()
		return fmt.Errorf("enable publisher confirms: %w", err)
	}
	p.conn, p.ch = conn, ch
	return nil
}

func (p *AMQPPublisher) reset() {
	if p.conn != nil {
		_ = p.conn.Close()
	}
	p.conn, p.ch = nil, nil
}

// redact keeps credentials of the URL out of error messages.
func redact(err error) error {
	var ae *amqp.Error
	if errors.As(err, &ae) {
		return fmt.Errorf("%s (code %d)", ae.Reason, ae.Code)
	}
	return err
}

// Publish sends the events as persistent messages and waits until the broker has
// confirmed each. Any failure drops the connection so the next call starts clean.
func (p *AMQPPublisher) Publish(ctx context.Context, evs []Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.connect(); err != nil {
		return err
	}
	confirms := make([]*amqp.DeferredConfirmation, 0, len(evs))
	for _, e := range evs {
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		dc, err := p.ch.PublishWithDeferredConfirmWithContext(ctx, Exchange, e.Type, false, false, amqp.Publishing{
			ContentType:  "application/json",
			DeliveryMode: amqp.Persistent,
			MessageId:    e.ID,
			Type:         e.Type,
			Timestamp:    e.OccurredAt,
			AppId:        "gatehouse",
			Body:         body,
		})
		if err != nil {
			p.reset()
			return fmt.Errorf("publish %s: %w", e.Type, err)
		}
		confirms = append(confirms, dc)
	}
	for _, dc := range confirms {
		ok, err := dc.WaitContext(ctx)
		if err != nil {
			p.reset()
			return fmt.Errorf("await confirm: %w", err)
		}
		if !ok {
			p.reset()
			return errors.New("the broker refused (nacked) an event")
		}
	}
	return nil
}

// Close closes the connection.
func (p *AMQPPublisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reset()
	return nil
}
