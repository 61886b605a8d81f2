// Build of the web console: static files in console/dist, served by the local
// gateway at the API port's root and, on AWS, from S3 behind CloudFront.
// `base: './'` keeps asset URLs relative, so the same build works at any path.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Chart.js is the bulk of the bundle; keep it in its own cacheable file.
    rollupOptions: { output: { manualChunks: (id: string) => (id.includes('node_modules/chart.js') ? 'charts' : undefined) } },
  },
  server: {
    // `npm run dev:console` proxies the API to a running gateway (API_PORT, default 8080).
    proxy: { '/v1': `http://127.0.0.1:${process.env.API_PORT ?? 8080}`, '/healthz': `http://127.0.0.1:${process.env.API_PORT ?? 8080}` },
  },
});
