package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds Gatehouse's metrics; features add their own collectors to it.
var Registry = prometheus.NewRegistry()

var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gatehouse_http_requests_total", Help: "HTTP requests by route and status.",
	}, []string{"method", "route", "status"})
	latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "gatehouse_http_request_duration_seconds",
		Help:    "HTTP request latency by route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"method", "route"})
)

func init() {
	Registry.MustRegister(requests, latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

func observeRequest(method, route string, status int, d time.Duration) {
	requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	latency.WithLabelValues(method, route).Observe(d.Seconds())
}

func metricsHandler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{})
}
