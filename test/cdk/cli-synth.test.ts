// `cdk synth` as a new user runs it: the real CLI, offline, no Docker. The
// Lambdas are bundled locally by esbuild, the ingress image is staged (built
// only at deploy), and cdk-nag runs as a validation plugin of the app, so a
// finding anywhere would fail this synth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('cdk synth works offline: five Lambda bundles, a staged ingress image and no cdk-nag finding', { timeout: 300_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'rg-cdk-out-'));
  try {
    const cli = join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk');
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, [cli, 'synth', '--no-notices', '-q', '-o', out], {
        cwd: root, timeout: 280_000, maxBuffer: 32 * 1024 * 1024,
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1', CDK_DEFAULT_ACCOUNT: '', CDK_DEFAULT_REGION: '' },
      }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }));
    });
    assert.equal(code, 0, output.slice(-4000));
    for (const stack of ['RelayguardData', 'RelayguardService']) assert.ok(existsSync(join(out, `${stack}.template.json`)), stack);

    const assets = JSON.parse(readFileSync(join(out, 'RelayguardService.assets.json'), 'utf8')) as {
      files: Record<string, { source: { path: string; packaging?: string } }>;
      dockerImages: Record<string, { source: { directory: string; dockerFile: string; platform?: string } }>;
    };
    const bundles = Object.values(assets.files).map((f) => join(out, f.source.path)).filter((p) => existsSync(join(p, 'index.mjs')));
    assert.equal(bundles.length, 5, 'score, deliver, feedback, api, authorizer');
    for (const b of bundles) assert.ok(statSync(join(b, 'index.mjs')).size < 3 * 1024 * 1024, `${b} stays small`);

    const images = Object.values(assets.dockerImages);
    assert.equal(images.length, 1);
    assert.equal(images[0]!.source.dockerFile, 'ingress/Dockerfile');
    assert.equal(images[0]!.source.platform, 'linux/arm64');
    const context = readdirSync(join(out, images[0]!.source.directory));
    assert.ok(context.includes('ingress') && context.includes('package-lock.json'));
    assert.ok(!context.includes('node_modules') && !context.includes('.git'), 'the Docker context leaves out node_modules and .git');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
