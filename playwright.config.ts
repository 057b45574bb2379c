import { defineConfig } from '@playwright/test';
import { ADMIN_STATE_FILE } from './e2e/support/stack';
import { loadConfig } from './lib/config';

/**
 * End-to-end tests in Debian's chromium (never a downloaded browser). The global setup starts a private
 * redis-server and the real server (Next.js production build + collect API) on free ports.
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/support/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    // Headless Chromium says "HeadlessChrome", which bot filters drop (BRIEF §10): present a normal browser.
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    launchOptions: {
      executablePath: loadConfig().CHROMIUM_PATH,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    },
    trace: 'retain-on-failure',
    // Logged in as the admin (saved by the global setup): dashboards are not public.
    storageState: ADMIN_STATE_FILE,
  },
});
