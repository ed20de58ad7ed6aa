package hal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
)

// VendorConfig is one organisation's integration with a cloud door system,
// as the integrations service hands it to the vendor's adapter.
type VendorConfig struct {
	Provider string
	// EntityID is the organisation whose integration this is. Cloud vendors
	// keep one account per organisation and can ignore it; an adapter whose
	// devices all connect to this process (Gantner terminals) must scope
	// every lookup by it, or one organisation could drive another's doors.
	EntityID int64
	// APIKey is decrypted just before use; adapters must never log it or put
	// it in an error.
	APIKey string
	// Settings are provider settings (JSON object): baseUrl (overrides the
	// vendor's address: regional hosts, on-premise, tests), groupId,
	// clientId, clientSecret, placeId, …
	Settings json.RawMessage
	// Location is the organisation's time zone (validity windows in local days).
	Location *time.Location
}

// VendorFactory builds an adapter for one organisation's integration. client
// carries the timeouts and transport to use (tests pass httptest clients).
type VendorFactory func(cfg VendorConfig, client *http.Client) (Adapter, error)

var (
	vendorMu  sync.RWMutex
	factories = map[string]VendorFactory{}
)

// RegisterVendor makes a cloud adapter available under a provider name (KISI,
// BRIVO, EXIVO, …). Adapter packages call it from init; the app imports them.
func RegisterVendor(provider string, f VendorFactory) {
	vendorMu.Lock()
	defer vendorMu.Unlock()
	if _, dup := factories[provider]; dup {
		panic(fmt.Sprintf("hal: vendor %s registered twice", provider))
	}
	factories[provider] = f
}

// Vendor returns the factory of a provider.
func Vendor(provider string) (VendorFactory, bool) {
	vendorMu.RLock()
	defer vendorMu.RUnlock()
	f, ok := factories[provider]
	return f, ok
}

// Vendors lists the registered cloud providers, sorted.
func Vendors() []string {
	vendorMu.RLock()
	defer vendorMu.RUnlock()
	out := make([]string, 0, len(factories))
	for p := range factories {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
