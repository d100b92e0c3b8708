import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // both cores: the suite is CPU-bound and its budgets are in runs, not seconds
    maxWorkers: 2,
    // one module graph per worker, not per file: importing the models is most of a file's cost
    isolate: false,
    // concurrent tests (the docs' commands) run two CLI processes at a time
    maxConcurrency: 2,
    // builds dist/ once so that the e2e tests run the CLI compiled from the current sources
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});
