// Removes the previous UI build from ../internal/webui/dist while keeping the
// committed placeholder.html (and anything else that is not ours).
import { rmSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../internal/webui/dist/', import.meta.url));
mkdirSync(dist, { recursive: true });
for (const name of ['index.html', 'assets', 'favicon.svg']) {
  rmSync(dist + name, { recursive: true, force: true });
}
