// Makes sure internal/webui/dist/placeholder.html exists (it is committed so the Go
// binary builds without Node). Never overwrites an existing file.
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../internal/webui/dist/', import.meta.url));
const file = dist + 'placeholder.html';
if (!existsSync(file)) {
  mkdirSync(dist, { recursive: true });
  writeFileSync(
    file,
    `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Gatehouse</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem;">
<h1>Gatehouse</h1>
<p>The web UI was not built into this binary. Run <code>make build</code> (needs Node.js) and rebuild.</p>
<p>The API is available under <a href="/api/docs">/api/docs</a>.</p>
</body>
</html>
`,
  );
  console.log('created', file);
}
