import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT, stackPaths } from '../../stack/paths.js';

// hadolint over the Dockerfile (every finding fails, down to style), from provisioning
// (stack/provision/image.sh). test/image/image.test.ts builds and runs the image itself.

const hadolint = join(stackPaths('').tools, 'bin/hadolint');

function lint(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(hadolint, ['--no-color', '--failure-threshold=style', file], (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

describe('Dockerfile', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tickler-hadolint-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('hadolint finds nothing', async () => {
    const { code, output } = await lint(join(ROOT, 'Dockerfile'));
    assert.equal(output, '');
    assert.equal(code, 0);
  });

  test('the lint can fail: an unpinned base and a root user are findings', async () => {
    const bad = join(scratch, 'Dockerfile');
    writeFileSync(bad, 'FROM node\nUSER root\nCMD ["node"]\n');
    const { code, output } = await lint(bad);
    assert.equal(code, 1);
    assert.match(output, /DL3006/); // image not tagged
    assert.match(output, /DL3002/); // last USER is root
  });
});
