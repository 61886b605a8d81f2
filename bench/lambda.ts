// `npm run bench:lambda`: bundles every Lambda handler the way the CDK app
// does (esbuild, ESM, node22, minified, AWS SDK bundled), then prints each
// bundle's size, the packages that dominate it, and the cold-import time:
// the time a fresh Node process takes to import the handler module.
import { build, type Metafile } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LAMBDA_BUNDLING, REPO_ROOT } from '../cdk/constructs/relay-function.js';

const HANDLERS = ['score', 'deliver', 'feedback', 'api', 'authorizer'];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const OUT = join(REPO_ROOT, '.tmp', 'bench-lambda');

function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m ? m[1]! : input.split('/')[0]!;
}

function topPackages(meta: Metafile, outfile: string, n = 5): string {
  const out = Object.entries(meta.outputs).find(([k]) => k.endsWith(outfile))![1];
  const by = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) by.set(packageOf(input), (by.get(packageOf(input)) ?? 0) + bytesInOutput);
  return [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([p, b]) => `${p} ${(b / 1024).toFixed(0)}K`).join(', ');
}

function coldImportMs(file: string): number {
  const script = `const t=process.hrtime.bigint();await import(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    times.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1' } })));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const rows: string[] = [];
  for (const name of HANDLERS) {
    const outfile = join(OUT, name, 'index.mjs');
    const result = await build({
      entryPoints: [join(REPO_ROOT, 'lambdas', `${name}.ts`)],
      outfile, bundle: true, platform: 'node', format: 'esm', target: LAMBDA_BUNDLING.target,
      minify: LAMBDA_BUNDLING.minify, sourcemap: false, mainFields: LAMBDA_BUNDLING.mainFields,
      banner: { js: LAMBDA_BUNDLING.banner }, external: LAMBDA_BUNDLING.externalModules, metafile: true, logLevel: 'error',
    });
    const kb = statSync(outfile).size / 1024;
    const ms = coldImportMs(outfile);
    rows.push(`${name.padEnd(11)} ${kb.toFixed(0).padStart(6)} KB ${kb > 1024 ? '(over 1 MB)' : '           '} cold import ${ms.toFixed(0).padStart(5)} ms (median of ${RUNS})   largest: ${topPackages(result.metafile, `${name}/index.mjs`)}`);
  }
  process.stdout.write(`Lambda bundles (esbuild ${LAMBDA_BUNDLING.format}, ${LAMBDA_BUNDLING.target}, minified, no source map) on node ${process.version}\n${rows.join('\n')}\n`);
}

main().catch((err) => { process.stderr.write(String(err?.stack ?? err) + '\n'); process.exit(1); });
