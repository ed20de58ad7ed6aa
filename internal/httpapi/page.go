package httpapi

// PageQuery is the paging input shared by list operations.
type PageQuery struct {
	Page int `query:"page" minimum:"0" maximum:"1000000" default:"0" doc:"0-based page number."`
	Size int `query:"size" minimum:"1" maximum:"200" default:"20" doc:"Items per page (at most 200)."`
}

// Offset is the number of items before the page.
func (q PageQuery) Offset() int { return q.Page * q.Size }

// Page is the list envelope.
type Page[T any] struct {
	Items      []T `json:"items" nullable:"false"`
	Page       int `json:"page"`
	Size       int `json:"size"`
	TotalItems int `json:"totalItems"`
	TotalPages int `json:"totalPages"`
}

// NewPage builds the envelope; items is never null in JSON.
func NewPage[T any](items []T, q PageQuery, total int) Page[T] {
	if items == nil {
		items = []T{}
	}
	pages := 0
	if q.Size > 0 {
		pages = (total + q.Size - 1) / q.Size
	}
	return Page[T]{Items: items, Page: q.Page, Size: q.Size, TotalItems: total, TotalPages: pages}
}
