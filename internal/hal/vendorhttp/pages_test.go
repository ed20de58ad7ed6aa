package vendorhttp

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestListPages(t *testing.T) {
	ctx := context.Background()
	// Three pages of two, the last one says so.
	got, err := ListPages(ctx, func(_ context.Context, p int) ([]int, bool, error) {
		return []int{2 * p, 2*p + 1}, p == 2, nil
	})
	if err != nil || !slices.Equal(got, []int{0, 1, 2, 3, 4, 5}) {
		t.Fatalf("three pages: %v, %v", got, err)
	}
	// An empty page ends the listing even when the vendor does not say so.
	got, err = ListPages(ctx, func(_ context.Context, p int) ([]int, bool, error) {
		if p == 1 {
			return nil, false, nil
		}
		return []int{7}, false, nil
	})
	if err != nil || !slices.Equal(got, []int{7}) {
		t.Fatalf("empty page: %v, %v", got, err)
	}
	// A failing page fails the whole listing: never a partial answer.
	boom := errors.New("boom")
	if got, err := ListPages(ctx, func(_ context.Context, p int) ([]int, bool, error) {
		if p == 3 {
			return nil, false, boom
		}
		return []int{p}, false, nil
	}); !errors.Is(err, boom) || got != nil {
		t.Fatalf("failing page: %v, %v", got, err)
	}
	// A listing that never ends is refused.
	calls := 0
	if _, err := ListPages(ctx, func(_ context.Context, p int) ([]int, bool, error) {
		calls++
		return []int{p}, false, nil
	}); !errors.Is(err, ErrTooManyPages) || calls != MaxListPages {
		t.Fatalf("endless listing: %v after %d pages", err, calls)
	}
}
