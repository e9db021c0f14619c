import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // expect.poll waits for a condition; its default 1 s ceiling tripped on a loaded machine. Browser tests raise
    // their own ceilings in test/support/browser.ts.
    expect: { poll: { timeout: 30_000, interval: 100 } },
    // Two cores on the reference machine: PGlite and DuckDB are CPU-bound, more workers only thrash.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
