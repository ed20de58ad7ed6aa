package vendorhttp

import (
	"context"
	"fmt"
)

// MaxListPages bounds a full listing (ListPages). A listing cut short would
// make every grant past the cut look lost at the vendor (the reconciler would
// grant them all again), so running into it is an error, not a partial answer.
const MaxListPages = 1000

// ErrTooManyPages is ListPages' error when the listing goes on past
// MaxListPages.
var ErrTooManyPages = fmt.Errorf("more than %d pages; not listed", MaxListPages)

// ListPages fetches pages 0, 1, … of a vendor listing until fetch reports the
// last one (or returns an empty page), and returns all items. More than
// MaxListPages pages is ErrTooManyPages.
func ListPages[T any](ctx context.Context, fetch func(ctx context.Context, page int) (items []T, last bool, err error)) ([]T, error) {
	var all []T
	for p := range MaxListPages {
		items, last, err := fetch(ctx, p)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if last || len(items) == 0 {
			return all, nil
		}
	}
	return nil, ErrTooManyPages
}
