# Gatehouse — build, run and test. `make run` and `make test` are the set-up.
GO      ?= go
BIN     := bin/gatehouse
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/gatehouse/gatehouse/internal/app.Version=$(VERSION)
FUZZTIME ?= 10s
GOTEST_FLAGS ?=

.PHONY: run build build-go ui test test-go test-web e2e lint fmt fuzz bench clean api-types services ble

## run: build UI + binary, serve on SQLite with the demo club at http://127.0.0.1:8080
run: build
	./$(BIN) serve --demo --db sqlite:gatehouse-demo.db

## build: the web UI, then the binary with the UI embedded
build: ui build-go

build-go:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/gatehouse

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

ui: web/node_modules/.installed
	cd web && npm run build

## test: Go tests (SQLite always; PostgreSQL/RabbitMQ when configured) and UI unit tests
test: services test-go test-web

services:
	@if [ -n "$$GATEHOUSE_TEST_POSTGRES" ]; then echo "PostgreSQL tests: on ($$GATEHOUSE_TEST_POSTGRES)"; \
	  else echo "SKIP: PostgreSQL tests (set GATEHOUSE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable)"; fi
	@if [ -n "$$GATEHOUSE_TEST_AMQP" ]; then echo "RabbitMQ tests: on"; \
	  else echo "SKIP: RabbitMQ tests (set GATEHOUSE_TEST_AMQP=amqp://guest:guest@127.0.0.1:5672/)"; fi

# Many apps share one PostgreSQL in the test suite: small pools keep them under
# its max_connections (100 by default).
test-go:
	GATEHOUSE_DB_MAX_CONNS=$${GATEHOUSE_DB_MAX_CONNS:-8} $(GO) test $(GOTEST_FLAGS) ./...

test-web: web/node_modules/.installed
	cd web && npm test --silent

## e2e: browser tests (playwright-core + Debian's chromium) against the built binary
e2e: build
	cd web && GATEHOUSE_BIN=../$(BIN) npm run e2e

## fuzz: every fuzz target for FUZZTIME each
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

## lint: formatting, vet and staticcheck
lint:
	@test -z "$$(gofmt -l cmd internal)" || (echo "gofmt would change:"; gofmt -l cmd internal; exit 1)
	$(GO) vet ./...
	$(GO) vet -tags ble ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest -tags ble ./internal/phone/... ./cmd/gatehouse-ble/

fmt:
	gofmt -w cmd internal

## bench: Go benchmarks of the hot paths
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## api-types: regenerate the UI's TypeScript types from the OpenAPI document
api-types: build-go web/node_modules/.installed
	./$(BIN) openapi > web/openapi.json
	cd web && npm run gen:api

## ble: the reference BLE broadcaster and gateway scanner (BlueZ at run time; docs/phone-credentials.md)
ble:
	$(GO) build -tags ble -o bin/gatehouse-ble ./cmd/gatehouse-ble

clean:
	rm -rf bin web/dist internal/webui/dist/assets internal/webui/dist/index.html
