// Bundles the AWS ingress entry point (ingress/aws-main.ts) into one ESM file
// with esbuild: what ingress/Dockerfile ships and what the end-to-end test
// starts. Usage: node scripts/build-ingress.mjs <outfile>
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2] ?? join(root, 'dist', 'ingress.mjs');

export async function buildIngress(out = outfile) {
  await build({
    entryPoints: [join(root, 'ingress', 'aws-main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    // CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __rgCreateRequire } from 'node:module'; const require = __rgCreateRequire(import.meta.url);" },
    // The SQLite adapter is local-only; nothing on the AWS path imports it.
    external: ['better-sqlite3'],
    logLevel: 'warning',
  });
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildIngress();
  process.stdout.write(`${outfile}\n`);
}
