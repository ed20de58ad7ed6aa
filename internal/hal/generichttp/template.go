package generichttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
)

// escaping says how the output of every {{action}} of a template is escaped.
// The escaper is appended to each action's pipeline at parse time (the way
// html/template does it), so a template author cannot forget it; an action
// that already ends in an escaper (json, raw, path, query, header, text) is
// left alone.
type escaping int

const (
	escText   escaping = iota // plain text (externalId, detail, if)
	escPath                   // URL: one path segment per action
	escJSON                   // body, forEach: a JSON value per action
	escHeader                 // header values: no control characters
)

var escaperNames = map[escaping]string{escText: "text", escPath: "path", escJSON: "json", escHeader: "header"}

// isEscaper lists the functions after which no escaper is appended.
var isEscaper = map[string]bool{"text": true, "path": true, "json": true, "header": true, "query": true, "raw": true}

const maxTemplateLen = 8 << 10

// tmpl is a compiled template and the escaping it was compiled for.
type tmpl struct {
	src string
	t   *template.Template
	esc escaping
}

// compile parses src with the adapter's functions and auto-escaping.
func compile(name, src string, esc escaping, loc *time.Location) (*tmpl, error) {
	if len(src) > maxTemplateLen {
		return nil, fmt.Errorf("%s: template longer than %d bytes", name, maxTemplateLen)
	}
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs(loc)).Parse(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, cleanTemplateErr(err))
	}
	for _, sub := range t.Templates() {
		if sub.Name() != name {
			return nil, fmt.Errorf("%s: {{define}} and {{template}} are not allowed", name)
		}
		if sub.Tree != nil && sub.Root != nil {
			if err := addEscaper(sub.Root, escaperNames[esc]); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return &tmpl{src: src, t: t, esc: esc}, nil
}

func addEscaper(n parse.Node, escaper string) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := addEscaper(c, escaper); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) == 0 {
			return nil // an assignment prints nothing
		}
		last := n.Pipe.Cmds[len(n.Pipe.Cmds)-1]
		if id, ok := last.Args[0].(*parse.IdentifierNode); ok && isEscaper[id.Ident] {
			return nil
		}
		n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{
			NodeType: parse.NodeCommand,
			Pos:      n.Pos,
			Args:     []parse.Node{parse.NewIdentifier(escaper).SetPos(n.Pos)},
		})
	case *parse.IfNode:
		return errors.Join(addEscaper(n.List, escaper), addEscaper(n.ElseList, escaper))
	case *parse.RangeNode:
		return errors.Join(addEscaper(n.List, escaper), addEscaper(n.ElseList, escaper))
	case *parse.WithNode:
		return errors.Join(addEscaper(n.List, escaper), addEscaper(n.ElseList, escaper))
	case *parse.TemplateNode:
		return errors.New("{{template}} is not allowed")
	}
	return nil
}

// cleanTemplateErr drops the template source position noise but keeps the message.
func cleanTemplateErr(err error) error {
	var ee template.ExecError
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

// render executes the template (nil renders nothing).
func (t *tmpl) render(data *Data) (string, error) {
	if t == nil {
		return "", nil
	}
	var b bytes.Buffer
	if err := t.t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("template %s: %w", t.t.Name(), unwrapExec(err))
	}
	if b.Len() > 1<<20 {
		return "", fmt.Errorf("template %s: output larger than 1 MiB", t.t.Name())
	}
	return b.String(), nil
}

// unwrapExec keeps a function's own error message (e.g. "not a card number")
// without the template engine's prefix, which may quote the data.
func unwrapExec(err error) error {
	var ee template.ExecError
	if errors.As(err, &ee) {
		err = ee.Err
	}
	// text/template wraps function errors as "error calling X: <err>".
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// funcs are the template functions; loc is the site time zone of the date functions.
func funcs(loc *time.Location) template.FuncMap {
	if loc == nil {
		loc = time.UTC
	}
	return template.FuncMap{
		"json":   jsonValue,
		"raw":    func(v any) string { return textValue(v) },
		"text":   textValue,
		"path":   pathSegment,
		"query":  func(v any) string { return url.QueryEscape(textValue(v)) },
		"header": headerValue,
		"get":    func(v any, path string) any { x, _ := lookup(v, path); return x },
		"default": func(def, v any) any {
			if isEmpty(v) {
				return def
			}
			return v
		},
		"date": func(layout string, v any) (string, error) {
			t, ok := asTime(v)
			if !ok {
				return "", errors.New("date: no time given")
			}
			return t.In(loc).Format(layout), nil
		},
		"dateOr": func(layout string, v any, fallback string) string {
			t, ok := asTime(v)
			if !ok {
				return fallback
			}
			return t.In(loc).Format(layout)
		},
		// lastDay is the last calendar day (in the site zone) on which t is still
		// in the future for part of the day: an expiry at midnight gives the day before.
		"lastDay": func(layout string, v any) (string, error) {
			t, ok := asTime(v)
			if !ok {
				return "", errors.New("lastDay: no time given")
			}
			return t.Add(-time.Nanosecond).In(loc).Format(layout), nil
		},
		"uint32":  toUint32,
		"int":     toInt,
		"between": between,
		"clamp": func(lo, hi int64, v any) (int64, error) {
			n, err := toInt(v)
			if err != nil {
				return 0, err
			}
			return max(lo, min(hi, n)), nil
		},
		"mul": func(a, b any) (int64, error) {
			x, err := toInt(a)
			if err != nil {
				return 0, err
			}
			y, err := toInt(b)
			if err != nil {
				return 0, err
			}
			return x * y, nil
		},
		"countdown": countdown,
		"doorMap":   doorMap,
		"mask":      func(v any) string { return hal.Mask(textValue(v)) },
		"lower":     strings.ToLower,
		"upper":     strings.ToUpper,
		"seconds":   func(d time.Duration) int64 { return int64(math.Ceil(d.Seconds())) },
	}
}

func jsonValue(v any) (string, error) {
	if t, ok := v.(*time.Time); ok && t != nil {
		v = *t
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("json: %w", err)
	}
	return string(b), nil
}

func textValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.Format(time.RFC3339)
	case time.Time:
		return x.Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		return textValue(rv.Elem().Interface())
	}
	return fmt.Sprint(v)
}

// pathSegment escapes one path segment. Empty values and dot segments are
// refused or escaped so data can never change which resource a URL names.
func pathSegment(v any) (string, error) {
	s := textValue(v)
	if s == "" {
		return "", errors.New("path: empty path segment")
	}
	if s == "." || s == ".." {
		return strings.Repeat("%2E", len(s)), nil
	}
	return url.PathEscape(s), nil
}

func headerValue(v any) (string, error) {
	s := textValue(v)
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
		return "", errors.New("header: value contains control characters")
	}
	return s, nil
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		return rv.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil || t.IsZero() {
			return time.Time{}, false
		}
		return *t, true
	case string:
		p, err := time.Parse(time.RFC3339, t)
		return p, err == nil
	}
	return time.Time{}, false
}

// toUint32 accepts a decimal card or device number (string or number).
func toUint32(v any) (uint32, error) {
	s := strings.TrimSpace(textValue(v))
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || s == "" {
		return 0, errors.New("uint32: not a decimal number in 0..4294967295")
	}
	return uint32(n), nil
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case uint32:
		return int64(x), nil
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, errors.New("int: not an integer")
		}
		return int64(x), nil
	case time.Duration:
		return int64(x), nil
	}
	s := strings.TrimSpace(textValue(v))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.New("int: not an integer")
	}
	return n, nil
}

// between checks lo <= v <= hi and returns v as a number.
func between(lo, hi int64, v any) (int64, error) {
	n, err := toInt(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("between: value is not an integer in %d..%d", lo, hi)
	}
	return n, nil
}

const maxFanout = 256

// countdown lists hi, hi-1, … down to lo, at most n values (newest event
// indices first). A missing hi (no events) gives an empty list.
func countdown(hiV, loV, nV any) ([]int64, error) {
	if hiV == nil {
		return []int64{}, nil
	}
	hi, err := toInt(hiV)
	if err != nil {
		return nil, err
	}
	lo := int64(0)
	if loV != nil {
		if lo, err = toInt(loV); err != nil {
			return nil, err
		}
	}
	n, err := toInt(nV)
	if err != nil {
		return nil, err
	}
	n = min(n, maxFanout)
	out := []int64{}
	for i := hi; i >= lo && int64(len(out)) < n; i-- {
		out = append(out, i)
	}
	return out, nil
}

// doorMap gives {"1":false,…,"n":false} with the listed doors set to true.
func doorMap(doors []string, nV any) (map[string]bool, error) {
	n64, err := toInt(nV)
	n := int(n64)
	if err != nil || n < 1 || n > 64 {
		return nil, errors.New("doorMap: door count out of range")
	}
	m := make(map[string]bool, n)
	for i := 1; i <= n; i++ {
		m[strconv.Itoa(i)] = false
	}
	for _, d := range doors {
		if _, ok := m[d]; !ok {
			return nil, fmt.Errorf("doorMap: door %q is not in 1..%d", d, n)
		}
		m[d] = true
	}
	return m, nil
}

// lookup follows a dot path ("events.last", "data.0.id") through decoded JSON.
func lookup(v any, path string) (any, bool) {
	if path == "" || path == "." {
		return v, true
	}
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
