/**
 * Headless Chromium from Debian (/usr/bin/chromium, `apt-get install chromium`; .ci/run installs
 * it) driven by playwright-core, with the network off: the pages under test must be
 * self-contained. (playwright gives each launch a fresh, empty profile.) `available` is false where Chromium is not installed, so a developer without
 * it sees the browser tests skipped by name; CI always has it (.ci/run fails without it).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const available = existsSync(CHROMIUM);

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
