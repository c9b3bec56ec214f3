// One lint config for the repository. The workflows/ override is what keeps workflow code
// deterministic: Temporal replays it, so it may not touch I/O, the clock, the environment or zod.
// Lint is type-aware (the project service reads tsconfig.json) so that a promise nobody awaits or
// handles, or one passed where a callback's result is ignored, fails lint instead of surfacing
// later as an unhandled rejection or a step that silently runs out of order.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  // api/schema/resolver-types.ts is generated (npm run schema:write); tsc still checks it.
  { ignores: ['node_modules/', '.tools/', '.state/', 'dist/', 'api/schema/resolver-types.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        // eslint.config.js is outside the TypeScript program (no allowJs); the default project
        // types it so that every linted file gets the same promise rules.
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test() and describe() return a promise that the runner itself tracks
          // (a file's tests are reported and fail the run whatever the caller does with it);
          // its documentation says the value of a top-level call can be discarded.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'Workflow code must stay deterministic: no Node built-ins.',
            })),
            { name: 'zod', message: 'zod stays out of the workflow bundle; parse at the edges.' },
            { name: 'postgres', message: 'No I/O in workflows: use an activity.' },
            { name: '@dapr/dapr', message: 'No I/O in workflows: use an activity.' },
            {
              name: 'rrule',
              message: 'rrule reads the host time zone: expand recurrences in an activity.',
            },
            { name: '@temporalio/client', message: 'Workflows use @temporalio/workflow only.' },
            { name: '@temporalio/worker', message: 'Workflows use @temporalio/workflow only.' },
            { name: '@temporalio/activity', message: 'Workflows use @temporalio/workflow only.' },
          ],
          patterns: [
            {
              group: ['**/activities/*', '**/activities'],
              allowTypeImports: true,
              message: 'Import activities as types and call them through proxyActivities.',
            },
            {
              group: ['**/db/*', '**/platform/*', '**/api/*'],
              message: 'No I/O modules in workflows.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflows may not read the environment.' },
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'fetch', message: 'No I/O in workflows: use an activity.' },
      ],
    },
  },
);
