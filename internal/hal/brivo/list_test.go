package brivo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/hal"
)

func TestListCredentialsAfterProvisionAndRevoke(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	ctx := context.Background()
	if got, err := a.ListCredentials(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty account: %v %v", got, err)
	}
	id1, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1001", Member: member()})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1002", Member: member()})
	if err != nil {
		t.Fatal(err)
	}
	// Not ours: a user without Gatehouse's external id in the group, and a
	// mobile pass (another format) on our user.
	f.mu.Lock()
	f.users[8001] = &fUser{ID: 8001, ExternalID: "hr-17", FirstName: "Other", LastName: "Person"}
	f.groups["777"][8001] = true
	f.creds[8002] = &fCred{ID: 8002, user: 8001, FieldValues: []fField{{ID: 1, Value: "9"}, {ID: 2, Value: "1"}}}
	f.creds[8002].CredentialFormat.ID = 100
	var uid int64
	for _, u := range f.users {
		if u.ExternalID == "gatehouse-member-42" {
			uid = u.ID
		}
	}
	f.creds[8003] = &fCred{ID: 8003, user: uid}
	f.creds[8003].CredentialFormat.ID = 307
	f.mu.Unlock()

	got, err := a.ListCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{id1, id2}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
	if err := a.RevokeCredential(ctx, id1); err != nil {
		t.Fatal(err)
	}
	if got, err := a.ListCredentials(ctx); err != nil || !slices.Equal(got, []string{id2}) {
		t.Fatalf("after revoking %s: %v %v, want [%s]", id1, got, err, id2)
	}
	// Out of the access group, the card opens nothing: not held.
	f.mu.Lock()
	delete(f.groups["777"], uid)
	f.mu.Unlock()
	if got, err := a.ListCredentials(ctx); err != nil || len(got) != 0 {
		t.Fatalf("user out of the group: %v %v", got, err)
	}
}

func TestListCredentialsPages(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	// 150 group members (two pages of users); one holds 120 cards (two
	// pages of credentials).
	f.mu.Lock()
	var want []string
	for i := range 150 {
		uid := int64(20000 + i)
		f.users[uid] = &fUser{ID: uid, ExternalID: fmt.Sprintf("gatehouse-member-%d", i), FirstName: "M", LastName: "X"}
		f.groups["777"][uid] = true
		n := 1
		if i == 149 {
			n = 120
		}
		for j := range n {
			cid := int64(100000 + i*1000 + j)
			c := &fCred{ID: cid, user: uid, FieldValues: []fField{{ID: 1, Value: fmt.Sprint(cid % 65535)}, {ID: 2, Value: "1"}}}
			c.CredentialFormat.ID = 100
			f.creds[cid] = c
			want = append(want, fmt.Sprintf("%d:%d", uid, cid))
		}
	}
	f.requests = nil
	f.mu.Unlock()
	got, err := a.ListCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("listed %d ids, want %d", len(got), len(want))
	}
	f.mu.Lock()
	groupPages := 0
	for _, r := range f.requests {
		if r == "GET /v1/api/groups/777/users" {
			groupPages++
		}
	}
	f.mu.Unlock()
	if groupPages != 2 {
		t.Errorf("group user pages %d, want 2", groupPages)
	}
}

func TestListCredentialsFailsRatherThanGuess(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	if _, err := a.ProvisionCredential(context.Background(), hal.Credential{Identifier: "1001", Member: member()}); err != nil {
		t.Fatal(err)
	}
	f.failNext(503, "", 5)
	if got, err := a.ListCredentials(context.Background()); err == nil || hal.KindOf(err) != hal.Unreachable {
		t.Fatalf("vendor down: %v %v, want an Unreachable error (never a short list)", got, err)
	}
}
