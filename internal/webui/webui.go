// Package webui serves the single-page web UI built from web/ into dist/ and
// embedded in the binary. A committed placeholder page keeps `go build` working
// on machines without Node.js.
package webui

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed dist
var dist embed.FS

// Handler serves the UI: real files as they are, any other path the app's
// index.html (client-side routing), or the placeholder when the UI was not built.
func Handler() http.Handler {
	root, _ := fs.Sub(dist, "dist")
	index := "index.html"
	if _, err := fs.Stat(root, index); err != nil {
		index = "placeholder.html"
	}
	files := http.FileServerFS(root)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" && name != "placeholder.html" {
			if st, err := fs.Stat(root, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					// Vite fingerprints asset names: they never change.
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
		}
		b, err := fs.ReadFile(root, index)
		if err != nil {
			http.Error(w, "UI missing", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	})
}
