import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The production bundle is embedded into the Go binary (internal/webui, go:embed).
// emptyOutDir is false on purpose: the folder holds a committed placeholder.html that
// keeps `go build` working without Node. scripts/clean-dist.mjs removes the previous
// build (index.html + assets/) before each build instead.
const outDir = fileURLToPath(new URL('../internal/webui/dist', import.meta.url));
const backend = process.env.GATEHOUSE_DEV_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: false,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/healthz': { target: backend },
      '/readyz': { target: backend },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
