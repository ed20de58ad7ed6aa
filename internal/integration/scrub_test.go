package integration

import "testing"

func TestScrubRemovesEmailAddresses(t *testing.T) {
	for in, want := range map[string]string{
		`kisi find user: GET https://api.kisi.io/users?query=ada.lovelace%40example.com: 503`: `kisi find user: GET https://api.kisi.io/users?query=<e-mail>: 503`,
		`brivo: user Ada.Lovelace+gym@Example.co.uk exists`:                                   `brivo: user <e-mail> exists`,
		`timeout after 10s`: `timeout after 10s`,
	} {
		if got := scrub(in); got != want {
			t.Errorf("scrub(%q) = %q, want %q", in, got, want)
		}
	}
	long := make([]byte, 800)
	for i := range long {
		long[i] = 'x'
	}
	if got := scrub(string(long)); len(got) != 500 {
		t.Errorf("not truncated: %d", len(got))
	}
}
