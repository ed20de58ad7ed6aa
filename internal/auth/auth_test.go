package auth

import (
	"strings"
	"testing"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery", TestHashParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash format %q", h)
	}
	if ok, _ := CheckPassword(h, "correct horse battery"); !ok {
		t.Fatal("right password rejected")
	}
	if ok, _ := CheckPassword(h, "correct horse batterY"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery", TestHashParams)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=1024,t=1,p=1$!!$AA"} {
		if _, err := CheckPassword(bad, "x"); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestPolicies(t *testing.T) {
	staffUp := Allow(Staff)
	cases := []struct {
		p    *Principal
		pol  Policy
		want bool
	}{
		{&Principal{Role: PlatformAdmin}, staffUp, true},
		{&Principal{Role: ClubAdmin}, staffUp, true},
		{&Principal{Role: Staff}, staffUp, true},
		{&Principal{Role: Trainer}, staffUp, false},
		{&Principal{Role: Member}, staffUp, false},
		{&Principal{Role: Staff}, Allow(ClubAdmin), false},
		{&Principal{Role: Trainer}, Allow(Staff, Trainer), true},
		{&Principal{Role: Device, DeviceKind: Kiosk}, staffUp, false},
		{&Principal{Role: Device, DeviceKind: Kiosk}, staffUp.AllowDevices(Kiosk), true},
		{&Principal{Role: Device, DeviceKind: Reader}, staffUp.AllowDevices(Kiosk), false},
		{nil, staffUp, false},
		{nil, Anyone, true},
	}
	for i, c := range cases {
		if got := c.pol.Admits(c.p); got != c.want {
			t.Errorf("case %d: Admits = %v", i, got)
		}
	}
}

func TestTokensAreRandomAndHashed(t *testing.T) {
	a, b := newToken(sessionPrefix), newToken(sessionPrefix)
	if a == b || len(a) < 40 || !strings.HasPrefix(a, "ghs_") {
		t.Fatalf("tokens %q %q", a, b)
	}
	if hashToken(a) == a || len(hashToken(a)) != 64 {
		t.Fatal("token not hashed")
	}
	if !isDeviceKey(newToken(devicePrefix)) || isDeviceKey(a) {
		t.Fatal("device key prefix")
	}
}
