import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The split between the fast tier (test/unit/, `npm run test:unit`, no stack) and the rest (run
// against the stack by stack/test.ts), checked both ways: a file here that would need the stack
// fails, and so does a file elsewhere that would not (it belongs here, where it runs in seconds).
// What needs the stack: reaching test/support/env.ts (the stack's addresses) or anything under
// stack/ (ports, the provisioned tools' folder, the stack itself) through runtime imports, reading
// a TICKLER_* variable, or starting a process (a service or a provisioned tool). An in-process
// loopback stub (node:http) is allowed: it needs nothing and starts in milliseconds.

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const UNIT = 'test/unit';

const testFiles = (dir: string) =>
  readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();

// `import type` and `export type` load nothing at run time; every other import does (with
// verbatimModuleSyntax, even `import { type X }` keeps the module's side effects).
const STATIC_IMPORT = /\b(?:import|export)\s+(type\s+)?(?:[\w$*\s{},]*?\s*from\s*)?'([^']+)'/g;
const DYNAMIC_IMPORT = /\bimport\(\s*'([^']+)'\s*\)/g;

/** The repository's .ts modules `file` loads at run time, directly. */
function runtimeImports(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [
    ...[...source.matchAll(STATIC_IMPORT)].filter((m) => !m[1]).map((m) => m[2]!),
    ...[...source.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]!),
  ];
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(ROOT, resolve(ROOT, dirname(file), s.replace(/\.js$/, '.ts'))))
    .filter((f) => f.endsWith('.ts') && existsSync(join(ROOT, f)));
}

/** Why `file` needs the stack or a provisioned tool, or undefined when it needs neither. */
function needsStack(file: string): string | undefined {
  const source = readFileSync(join(ROOT, file), 'utf8');
  if (/from '(node:)?child_process'/.test(source)) return 'it starts a process';
  if (/process\.env(\.|\[')TICKLER_/.test(source)) return 'it reads a TICKLER_* variable';
  const seen = new Set<string>();
  const walk = (f: string, via: string[]): string | undefined => {
    if (seen.has(f)) return undefined;
    seen.add(f);
    if (f === 'test/support/env.ts' || f.startsWith('stack/'))
      return `it loads ${[...via, f].join(' → ')}`;
    for (const next of runtimeImports(f)) {
      const why = walk(next, [...via, f]);
      if (why) return why;
    }
    return undefined;
  };
  return walk(file, []);
}

test('the rule tells a stack test from a unit test', () => {
  assert.match(needsStack('test/e2e/thin-path.test.ts') ?? '', /test\/support\/env\.ts$/);
  assert.match(needsStack('test/helm/lint.test.ts') ?? '', /stack\/paths\.ts$/);
  assert.equal(needsStack('test/unit/ids.test.ts'), undefined);
});

test(`every test under ${UNIT} needs no stack, no provisioned tool and no process`, () => {
  const files = testFiles(UNIT);
  assert.ok(files.length >= 20, `only ${files.length} files in ${UNIT}`);
  const found = files.flatMap((f) => {
    const why = needsStack(f);
    return why ? [`${f}: ${why} (it belongs outside ${UNIT})`] : [];
  });
  assert.deepEqual(found, []);
});

test(`every test outside ${UNIT} needs the stack (else it belongs in ${UNIT})`, () => {
  const found = testFiles('test')
    .filter((f) => !f.startsWith(`${UNIT}/`))
    .filter((f) => needsStack(f) === undefined);
  assert.deepEqual(found, []);
});

test(`tests under ${UNIT} declare no root-level hooks: test:unit runs them in one process`, () => {
  // A root-level before/after would apply to every file's tests there, not only its own.
  const found = testFiles(UNIT).filter((f) =>
    /^(before|after|beforeEach|afterEach)\s*\(/m.test(readFileSync(join(ROOT, f), 'utf8')),
  );
  assert.deepEqual(found, []);
});
