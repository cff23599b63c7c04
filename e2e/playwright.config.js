// Playwright for microconv's end-to-end tests. Run through scripts/test-e2e.sh,
// which builds the tag and the collector, starts the collector and sets
// MICROCONV_URL / MICROCONV_COLLECTOR_BIN. Chromium is the machine's own.
const { defineConfig } = require("@playwright/test");

module.exports = defineConfig({
  testDir: "./specs",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: Number(process.env.E2E_WORKERS || 2),
  fullyParallel: true,
  // One retry, reported as "flaky" in the summary: on the 2-core CI machine a
  // few multi-tab and private-collector tests are timing-sensitive (see the
  // README's known issues); a test that fails twice fails the run.
  retries: 1,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: process.env.MICROCONV_URL,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 720 },
    // An ordinary browser's: headless Chromium announces "HeadlessChrome",
    // and the collector counts bots apart, which stays on in every test.
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    launchOptions: {
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--autoplay-policy=no-user-gesture-required",
      ],
    },
  },
});
