import { defineConfig } from 'vitest/config';

// Three tiers: unit tests beside the code (pure logic), integration tests on real PostgreSQL,
// PGlite and Redis, system tests with real processes (drachtio-server, sipp, Chromium).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: files in parallel would fight over them and over PGlite's start-up.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          // The same PostgreSQL and Redis as the integration tier (several nodes share them), the
          // browser bundle the web tests load, and drachtio-server, FreeSWITCH and sipp for the SIP tests.
          globalSetup: ['test/helpers/global-setup.ts', 'test/helpers/web-build.ts', 'test/helpers/sip/sip-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
