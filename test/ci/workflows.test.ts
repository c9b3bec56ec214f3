import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT, stackPaths } from '../../stack/paths.js';

// The GitHub Actions workflows cannot run here; what can be checked is checked: actionlint (with
// shellcheck over every `run:` step), shellcheck over the scripts they call, and every action
// pinned to an exact version. Both tools come from provisioning (stack/provision/actionlint.sh).

const actionlint = join(stackPaths('').tools, 'bin/actionlint');
const workflowsDir = join(ROOT, '.github/workflows');
const workflows = readdirSync(workflowsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(workflowsDir, f));
/** Scripts a workflow runs: linted here, since actionlint sees only their invocation. */
const workflowScripts = ['scripts/helm-deploy.sh'].map((f) => join(ROOT, f));

interface Run {
  code: number;
  output: string;
}
function run(command: string, args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}
const lint = (files: string[], cwd = ROOT) =>
  run(actionlint, ['-shellcheck=shellcheck', '-no-color', ...files], cwd);

describe('GitHub Actions workflows', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tickler-actionlint-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('ci, release and deploy are there', () => {
    const names = workflows.map((f) => f.slice(workflowsDir.length + 1)).sort();
    for (const name of ['ci.yml', 'deploy.yml', 'release.yml']) assert.ok(names.includes(name));
  });

  test('actionlint with shellcheck finds nothing', async () => {
    const { code, output } = await lint(workflows);
    assert.equal(output, '');
    assert.equal(code, 0);
  });

  test('the lint really runs shellcheck: an unquoted variable in a run step fails', async () => {
    // Without shellcheck on PATH actionlint skips that check silently; this proves it ran.
    const dir = join(scratch, '.github/workflows');
    mkdirSync(dir, { recursive: true });
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      [
        'on: push',
        'jobs:',
        '  x:',
        '    runs-on: ubuntu-24.04',
        '    steps:',
        '      - run: rm -rf $TARGET/cache',
        '',
      ].join('\n'),
    );
    const { code, output } = await lint([bad], scratch);
    assert.equal(code, 1);
    assert.match(output, /shellcheck reported issue in this script: SC2086/);
  });

  test('the scripts the workflows run pass shellcheck', async () => {
    const { code, output } = await run('shellcheck', ['--severity=style', ...workflowScripts]);
    assert.equal(output, '');
    assert.equal(code, 0);
  });

  test('every action is pinned to an exact version or a commit', () => {
    const loose: string[] = [];
    for (const file of workflows) {
      for (const [, ref] of readFileSync(file, 'utf8').matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)/gm)) {
        if (ref!.startsWith('./')) continue;
        const version = ref!.split('@')[1] ?? '';
        if (!/^(v\d+\.\d+\.\d+|[0-9a-f]{40})$/.test(version)) loose.push(`${file}: ${ref}`);
      }
    }
    assert.deepEqual(loose, []);
  });
});
