// One lint config for the repository. The workflows/ override is what keeps workflow code
// deterministic: Temporal replays it, so it may not touch I/O, the clock, the environment or zod.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.state/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
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
