package httpapi

import (
	"encoding/json"
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// renderDocs serves a readable API reference generated from the OpenAPI document.
// It is plain server-rendered HTML: no scripts from a CDN, so it works offline and
// on a closed network.
func renderDocs(w http.ResponseWriter, doc *huma.OpenAPI) {
	type param struct {
		Name, In, Type, Doc string
		Required            bool
	}
	type op struct {
		Method, Path, Summary, Description, Request, ID string
		Params                                          []param
		Responses                                       []string
	}
	groups := map[string][]op{}
	for path, item := range doc.Paths {
		for method, o := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
			if o == nil {
				continue
			}
			x := op{Method: method, Path: path, Summary: o.Summary, Description: o.Description, ID: o.OperationID}
			for _, p := range o.Parameters {
				t := ""
				if p.Schema != nil {
					t = p.Schema.Type
				}
				x.Params = append(x.Params, param{p.Name, p.In, t, p.Description, p.Required})
			}
			if o.RequestBody != nil {
				for ct, m := range o.RequestBody.Content {
					x.Request = ct
					if m.Schema != nil && m.Schema.Ref != "" {
						x.Request += " — " + strings.TrimPrefix(m.Schema.Ref, "#/components/schemas/")
					}
				}
			}
			for code := range o.Responses {
				x.Responses = append(x.Responses, code)
			}
			sort.Strings(x.Responses)
			tag := "Other"
			if len(o.Tags) > 0 {
				tag = o.Tags[0]
			}
			groups[tag] = append(groups[tag], x)
		}
	}
	var tags []string
	for t, ops := range groups {
		tags = append(tags, t)
		sort.Slice(ops, func(i, j int) bool {
			if ops[i].Path != ops[j].Path {
				return ops[i].Path < ops[j].Path
			}
			return ops[i].Method < ops[j].Method
		})
	}
	sort.Strings(tags)
	schemas := map[string]string{}
	if doc.Components != nil && doc.Components.Schemas != nil {
		for name, s := range doc.Components.Schemas.Map() {
			b, _ := json.MarshalIndent(s, "", "  ")
			schemas[name] = string(b)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = docsTemplate.Execute(w, map[string]any{"Info": doc.Info, "Tags": tags, "Groups": groups, "Schemas": schemas})
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Info.Title}} reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1f2937;background:#f8fafc}
header{background:#0f172a;color:#fff;padding:1.2rem 2rem}header a{color:#93c5fd}
main{max-width:70rem;margin:0 auto;padding:1rem 2rem}
h2{margin-top:2rem;border-bottom:1px solid #e2e8f0;padding-bottom:.3rem}
.op{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:.8rem 1rem;margin:.7rem 0}
.m{display:inline-block;min-width:4.2rem;font-weight:700;font-family:ui-monospace,monospace}
.GET{color:#047857}.POST{color:#1d4ed8}.PUT{color:#b45309}.DELETE{color:#b91c1c}.PATCH{color:#7c3aed}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f1f5f9;padding:.6rem;border-radius:6px;overflow:auto}
table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #e2e8f0;padding:.2rem .5rem;text-align:left}
details summary{cursor:pointer}
</style></head><body>
<header><h1>{{.Info.Title}} <small>{{.Info.Version}}</small></h1><p>{{.Info.Description}}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1)</p></header>
<main>
<nav>{{range .Tags}}<a href="#{{.}}">{{.}}</a> · {{end}}<a href="#schemas">Schemas</a></nav>
{{range $t := .Tags}}<h2 id="{{$t}}">{{$t}}</h2>
{{range index $.Groups $t}}<div class="op" id="{{.ID}}"><span class="m {{.Method}}">{{.Method}}</span> <code>{{.Path}}</code> — {{.Summary}}
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Params}}<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th></th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td><td>{{if .Required}}yes{{end}}</td><td>{{.Doc}}</td></tr>{{end}}</table>{{end}}
{{if .Request}}<p>Request body: <code>{{.Request}}</code></p>{{end}}
<p>Responses: {{range .Responses}}<code>{{.}}</code> {{end}}</p></div>{{end}}{{end}}
<h2 id="schemas">Schemas</h2>
{{range $name, $s := .Schemas}}<details id="schema-{{$name}}"><summary><code>{{$name}}</code></summary><pre>{{$s}}</pre></details>{{end}}
</main></body></html>`))
