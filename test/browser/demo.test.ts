/**
 * Drives the `npm start` demo page in real headless Chromium (Debian's `chromium` through
 * playwright-core): consent refusal, start, masked number, resend countdown, a wrong code
 * with attempts left, the right code, and the verified screen. Screenshots go to
 * test-output/browser/. Without Chromium the test is skipped, except under CI=true, where it
 * fails.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../../examples/demo/app';
import { outboxSender } from '../../src/senders/outbox';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const OUT = join(process.cwd(), 'test-output', 'browser');

if (!available && process.env.CI !== 'true') {
  console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
}

describe.skipIf(!available && process.env.CI !== 'true')('demo page in headless Chromium', () => {
  let demo: Demo;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const outbox = outboxSender();

  beforeAll(async () => {
    if (!available) throw new Error(`Chromium is required under CI: none at ${CHROMIUM}`);
    mkdirSync(OUT, { recursive: true });
    demo = await startDemo({ port: 0, sender: outbox, database: ':memory:' });
    profile = mkdtempSync(join(tmpdir(), 'phoneproof-chromium-'));
    // A fresh profile directory (Playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 640, height: 720 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('verifies a number the way a person would', async () => {
    await page.goto(demo.url);
    await expect.poll(() => page.textContent('#consent-text')).toMatch(/I agree to receive/);

    // Without the consent box ticked, nothing is sent and the page says why.
    await page.fill('#phone', '213 373 4253');
    await page.click('#send');
    await expect.poll(() => page.textContent('#start-error')).toMatch(/tick the box/);
    expect(outbox.messages).toHaveLength(0);
    await page.screenshot({ path: join(OUT, 'demo-consent.png'), fullPage: true });

    // An invalid number is explained, not dumped.
    await page.check('#consent');
    await page.fill('#phone', '12');
    await page.click('#send');
    await expect
      .poll(() => page.textContent('#start-error'))
      .toMatch(/does not look like a mobile number/);

    await page.fill('#phone', '213 373 4253');
    await page.click('#send');
    await page.waitForSelector('#check-form:not([hidden])');
    expect(await page.textContent('#masked')).toBe('+1 ••• ••• ••53');
    expect(outbox.messages).toHaveLength(1);
    expect(await page.isDisabled('#resend')).toBe(true);
    expect(await page.textContent('#resend-note')).toMatch(/resend the code in \d+ s/);

    const code = outbox.last()!.code;
    const wrong = code === '000000' ? '111111' : '000000';
    await page.fill('#code', wrong);
    await page.click('#verify');
    await expect
      .poll(() => page.textContent('#check-error'))
      .toMatch(/not right\. 4 attempts left/);
    await page.screenshot({ path: join(OUT, 'demo-wrong-code.png'), fullPage: true });

    await page.fill('#code', code);
    await page.click('#verify');
    await page.waitForSelector('#done:not([hidden])');
    expect(await page.textContent('#verified')).toBe('+1 ••• ••• ••53');
    await page.screenshot({ path: join(OUT, 'demo-verified.png'), fullPage: true });
    expect(existsSync(join(OUT, 'demo-verified.png'))).toBe(true);

    // The full number never reached the page.
    expect(await page.content()).not.toContain('3734253');
  }, 60_000);
});
