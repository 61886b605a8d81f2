// Page-level steps the console's browser tests share: sign in, move through
// the navigation, answer a dialog, run axe-core, and save a screenshot when
// SCREENSHOTS names a folder (docs/screenshots for the README).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './support.js';

const SHOTS = process.env.SCREENSHOTS ? join(ROOT, process.env.SCREENSHOTS) : undefined;

export async function screenshot(p: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await p.waitForTimeout(150); // let Chart.js finish its first frame
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export async function signIn(p: Page, siteUrl: string, token: string): Promise<void> {
  await p.goto(siteUrl + '/');
  await p.getByLabel('Access token').fill(token);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Follows a link of the main navigation (opening the phone menu first) and waits for the page title. */
export async function go(p: Page, navLabel: string, heading: string): Promise<void> {
  const menu = p.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: navLabel, exact: true }).click();
  await p.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** Confirms the open dialog with `button`, giving a reason first when asked, and waits for it to go. */
export async function confirmDialog(p: Page, button: string, reason?: string): Promise<void> {
  const dialog = p.getByRole('dialog');
  await dialog.waitFor();
  if (reason !== undefined) await dialog.getByLabel(/Reason/).fill(reason);
  await dialog.getByRole('button', { name: button }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** axe-core's WCAG 2.1 A/AA violations on the page as it is now, one line each. */
export async function axeViolations(p: Page): Promise<string[]> {
  await p.addScriptTag({ path: join(ROOT, 'node_modules', 'axe-core', 'axe.min.js') });
  const violations = await p.evaluate(async () => {
    const res = await (globalThis as any).axe.run((globalThis as any).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return res.violations.map((v: any) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')).join('; ')}`);
  });
  return violations as string[];
}
