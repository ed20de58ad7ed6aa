package exivo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/hal"
)

func TestListCredentialsAfterProvisionAndRevoke(t *testing.T) {
	f := newFakeExivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	ctx := context.Background()
	if got, err := a.ListCredentials(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty site: %v %v", got, err)
	}
	id1, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1001", Member: member()})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1002", Member: member()})
	if err != nil {
		t.Fatal(err)
	}
	// Not ours: a person someone else registered, with a medium, in the group.
	f.mu.Lock()
	f.persons["person-9001"] = &fPerson{ID: "person-9001", Info: "front desk", AccessGroupID: "ag-1", Media: []string{"medium-9002"}}
	f.media["medium-9002"] = &fMedium{ID: "medium-9002", UID: "77", State: "active", PersonID: "person-9001"}
	f.mu.Unlock()

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
	// Moved to another access group: opens none of our doors, not held.
	f.mu.Lock()
	for _, p := range f.persons {
		if p.Info == "gatehouse-member-42" {
			p.AccessGroupID = "ag-2"
		}
	}
	f.mu.Unlock()
	if got, err := a.ListCredentials(ctx); err != nil || len(got) != 0 {
		t.Fatalf("person in another group: %v %v", got, err)
	}
}

func TestListCredentialsPages(t *testing.T) {
	f := newFakeExivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	// 250 Gatehouse persons: three pages of 100.
	var want []string
	f.mu.Lock()
	for i := range 250 {
		pid, mid := fmt.Sprintf("person-%05d", i), fmt.Sprintf("medium-%05d", i)
		f.persons[pid] = &fPerson{ID: pid, Info: fmt.Sprintf("gatehouse-member-%d", i), AccessGroupID: "ag-1", Media: []string{mid}}
		f.media[mid] = &fMedium{ID: mid, UID: fmt.Sprint(i), State: "active", PersonID: pid}
		want = append(want, pid+":"+mid)
	}
	f.requests = nil
	f.mu.Unlock()
	got, err := a.ListCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("listed %d ids, want %d", len(got), len(want))
	}
	f.mu.Lock()
	pages := 0
	for _, r := range f.requests {
		if r == "GET /v1/site-1/person" {
			pages++
		}
	}
	f.mu.Unlock()
	if pages != 3 {
		t.Errorf("person pages %d, want 3", pages)
	}
}

func TestListCredentialsFailsRatherThanGuess(t *testing.T) {
	f := newFakeExivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	f.failNext(503, "", 5)
	if got, err := a.ListCredentials(context.Background()); err == nil || hal.KindOf(err) != hal.Unreachable {
		t.Fatalf("vendor down: %v %v, want an Unreachable error (never a short list)", got, err)
	}
}
