package httpapi

import (
	"testing"

	"github.com/danielgtaylor/huma/v2"
)

func TestProblemsNeverEchoSecretValues(t *testing.T) {
	p := humaError(422, "validation failed",
		&huma.ErrorDetail{Location: "body.password", Message: "too short", Value: "hunter2"},
		&huma.ErrorDetail{Location: "body.credential.identifier", Message: "bad", Value: "04A1B2C3"},
		&huma.ErrorDetail{Location: "body.apiKey", Message: "bad", Value: "sk_live"},
		&huma.ErrorDetail{Location: "body", Message: "invalid JSON", Value: `{"password":"x"}`},
		&huma.ErrorDetail{Location: "body.firstName", Message: "too long", Value: "Ada"},
	).(*Problem)
	for _, e := range p.Errors[:4] {
		if e.Value != nil {
			t.Errorf("%s echoed %v", e.Location, e.Value)
		}
	}
	if p.Errors[4].Value != "Ada" {
		t.Error("an ordinary field lost its value")
	}
}
