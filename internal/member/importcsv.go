package member

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/store"
)

// MaxImportRows bounds one import (one transaction).
const MaxImportRows = 10000

// RowError names a problem in one CSV row. Row numbers count the header as row 1,
// as a spreadsheet shows them.
type RowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ImportResult reports an import.
type ImportResult struct {
	Imported  int        `json:"imported"`
	Failed    int        `json:"failed"`
	RowErrors []RowError `json:"rowErrors"`
}

var importColumns = map[string]string{
	"firstname": "firstName", "lastname": "lastName", "email": "email", "phone": "phone", "membernumber": "memberNumber",
}

// ParseCSV reads member rows. It accepts a UTF-8 BOM, comma or semicolon
// separators (spreadsheets in many locales write ';'), and headers in any order
// and case. Unknown columns are an error, so a typo does not silently drop data.
func ParseCSV(data []byte) (rows []Fields, lines []int, rowErrs []RowError, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, nil, nil, apperr.Invalid("the file is not UTF-8 text; save it as CSV UTF-8")
	}
	r := csv.NewReader(bytes.NewReader(data))
	if first, _, _ := strings.Cut(string(data), "\n"); strings.Count(first, ";") > strings.Count(first, ",") {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil, apperr.Invalid("the file is empty: expected a header row firstName,lastName,email,phone,memberNumber")
	}
	if err != nil {
		return nil, nil, nil, apperr.Invalid(fmt.Sprintf("row 1: %v", err))
	}
	index := map[string]int{}
	for i, h := range header {
		key := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(h), "_", ""))
		name, ok := importColumns[key]
		if !ok {
			return nil, nil, nil, apperr.Invalid(fmt.Sprintf("unknown column %q; expected firstName, lastName, email, phone, memberNumber", h))
		}
		if _, dup := index[name]; dup {
			return nil, nil, nil, apperr.Invalid(fmt.Sprintf("column %q appears twice", h))
		}
		index[name] = i
	}
	for _, req := range []string{"firstName", "lastName", "email"} {
		if _, ok := index[req]; !ok {
			return nil, nil, nil, apperr.Invalid(fmt.Sprintf("missing column %q", req))
		}
	}
	cell := func(rec []string, name string) string {
		i, ok := index[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return rec[i]
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if len(rows)+len(rowErrs) >= MaxImportRows {
			return nil, nil, nil, apperr.Invalid(fmt.Sprintf("too many rows: at most %d per import", MaxImportRows))
		}
		if err != nil {
			rowErrs = append(rowErrs, RowError{Row: line, Field: "", Message: err.Error()})
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) > len(header) {
			rowErrs = append(rowErrs, RowError{Row: line, Message: fmt.Sprintf("%d cells but the header has %d", len(rec), len(header))})
			continue
		}
		f := Fields{FirstName: cell(rec, "firstName"), LastName: cell(rec, "lastName"), Email: cell(rec, "email")}
		if p := cell(rec, "phone"); p != "" {
			f.Phone = &p
		}
		if n := cell(rec, "memberNumber"); n != "" {
			f.MemberNumber = &n
		}
		rows = append(rows, f)
		lines = append(lines, line)
	}
	return rows, lines, rowErrs, nil
}

// Import creates members from CSV. Without partial nothing is imported when any
// row is invalid; with partial the valid rows are imported and the others
// reported.
func (s *Service) Import(ctx context.Context, sc Scope, data []byte, partial bool) (*ImportResult, error) {
	rows, lines, rowErrs, err := ParseCSV(data)
	if err != nil {
		return nil, err
	}
	totalRows := len(rows) + countRows(rowErrs)
	type candidate struct {
		f    Fields
		line int
	}
	var ok []candidate
	seenEmail, seenNumber := map[string]int{}, map[string]int{}
	for i, f := range rows {
		line := lines[i]
		if err := f.normalise(); err != nil {
			ae, _ := apperr.As(err)
			for _, fe := range ae.Fields {
				rowErrs = append(rowErrs, RowError{Row: line, Field: fe.Field, Message: fe.Message})
			}
			continue
		}
		if prev, dup := seenEmail[f.Email]; dup {
			rowErrs = append(rowErrs, RowError{Row: line, Field: "email", Message: fmt.Sprintf("same e-mail as row %d", prev)})
			continue
		}
		if f.MemberNumber != nil {
			if prev, dup := seenNumber[*f.MemberNumber]; dup {
				rowErrs = append(rowErrs, RowError{Row: line, Field: "memberNumber", Message: fmt.Sprintf("same member number as row %d", prev)})
				continue
			}
			seenNumber[*f.MemberNumber] = line
		}
		seenEmail[f.Email] = line
		ok = append(ok, candidate{f, line})
	}
	res := &ImportResult{}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		// Conflicts with members already in the database.
		var fresh []candidate
		for _, c := range ok {
			var n int
			num := ""
			if c.f.MemberNumber != nil {
				num = *c.f.MemberNumber
			}
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE entity_id = $1 AND email = $2`, sc.EntityID, c.f.Email).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				rowErrs = append(rowErrs, RowError{Row: c.line, Field: "email", Message: "a member with this e-mail already exists"})
				continue
			}
			if num != "" {
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE entity_id = $1 AND member_number = $2`, sc.EntityID, num).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					rowErrs = append(rowErrs, RowError{Row: c.line, Field: "memberNumber", Message: "a member with this number already exists"})
					continue
				}
			}
			fresh = append(fresh, c)
		}
		if len(rowErrs) > 0 && !partial {
			return errRowsInvalid
		}
		for _, c := range fresh {
			if _, err := s.insert(ctx, tx, sc, c.f); err != nil {
				return fmt.Errorf("row %d: %w", c.line, err)
			}
		}
		res.Imported = len(fresh)
		return nil
	})
	sortRowErrors(rowErrs)
	res.RowErrors = rowErrs
	if res.RowErrors == nil {
		res.RowErrors = []RowError{}
	}
	res.Failed = countRows(rowErrs)
	if errors.Is(err, errRowsInvalid) {
		return nil, apperr.Invalid(fmt.Sprintf("%d of %d rows are invalid; nothing was imported (send ?partial=true to import the valid rows)",
			res.Failed, totalRows)).With("rowErrors", res.RowErrors)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

var errRowsInvalid = errors.New("rows invalid")

func countRows(errs []RowError) int {
	seen := map[int]bool{}
	for _, e := range errs {
		seen[e.Row] = true
	}
	return len(seen)
}

func sortRowErrors(errs []RowError) {
	slices.SortStableFunc(errs, func(a, b RowError) int { return a.Row - b.Row })
}
