package openpath_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/openpath/openpathtest"
)

func TestListCredentialsAfterProvisionAndRevoke(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	a := newAdapter(t, f, nil)
	ctx := context.Background()
	if got, err := a.ListCredentials(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty org: %v %v", got, err)
	}
	id1, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1001", Member: member()})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1002", Member: member()})
	if err != nil {
		t.Fatal(err)
	}
	// Not ours: a credential an administrator gave our user, and a
	// "gatehouse-" credential on a user Gatehouse did not create.
	var uid int64
	fmt.Sscanf(id1, "%d:", &uid)
	f.AddMobileCredential(uid, "Ada's phone")
	other := f.AddUser("hr-17", true)
	f.AddMobileCredential(other, "gatehouse-7")

	got, err := a.ListCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{id1, id2}
	slices.Sort(got)
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
	if !f.DeleteCredential(id2) {
		t.Fatal("fake: no credential", id2)
	}
	if got, err := a.ListCredentials(ctx); err != nil || len(got) != 0 {
		t.Fatalf("after deleting %s in the console: %v %v", id2, got, err)
	}
}

func TestListCredentialsPages(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	a := newAdapter(t, f, nil)
	// 150 Gatehouse users (two pages); the last holds 130 credentials (two pages).
	var want []string
	for i := range 150 {
		uid := f.AddUser(fmt.Sprintf("gatehouse-member-%d", i), true)
		n := 1
		if i == 149 {
			n = 130
		}
		for j := range n {
			cid := f.AddMobileCredential(uid, fmt.Sprintf("gatehouse-%d", i*1000+j))
			want = append(want, fmt.Sprintf("%d:%d", uid, cid))
		}
	}
	f.Mu.Lock()
	f.Requests = nil
	f.Mu.Unlock()
	got, err := a.ListCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("listed %d ids, want %d", len(got), len(want))
	}
	f.Mu.Lock()
	userPages := 0
	for _, r := range f.Requests {
		if r == fmt.Sprintf("GET /orgs/%d/users", openpathtest.OrgID) {
			userPages++
		}
	}
	f.Mu.Unlock()
	if userPages != 2 {
		t.Errorf("user pages %d, want 2", userPages)
	}
}

func TestListCredentialsFailsRatherThanGuess(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	a := newAdapter(t, f, nil)
	if _, err := a.ProvisionCredential(context.Background(), hal.Credential{Identifier: "1001", Member: member()}); err != nil {
		t.Fatal(err)
	}
	f.Down(true)
	if got, err := a.ListCredentials(context.Background()); err == nil || hal.KindOf(err) != hal.Unreachable {
		t.Fatalf("vendor down: %v %v, want an Unreachable error (never a short list)", got, err)
	}
}
