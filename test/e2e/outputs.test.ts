/**
 * Outputs a user shares (issue 11): the HTML report in a real headless Chromium (lanes per CPU,
 * changed values, the spec state, the replay command, no network, and a screenshot whose
 * pixels show the violation), Mermaid diagrams parsed and rendered by Mermaid itself, and ITF
 * traces checked against the format's rules (ADR-015).
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeToken } from '../../src/check/token.js';
import { available, launch } from '../helpers/browser.js';
import { kcheck, tokenIn } from '../helpers/cli.js';
import { itfErrors } from '../helpers/itf.js';

const REFCOUNT = 'examples/refcount.ts';
const dir = mkdtempSync(join(tmpdir(), 'kcheck-outputs-'));

// a counterexample with two CPUs, a preemption and a spec refusal; and one of kmap (parallel statechart)
const racy = kcheck('run', '--protocol', REFCOUNT, '--variant', 'dec-then-read', '--seed', '1');
const racyToken = tokenIn(racy.stdout);
const kmap = kcheck('run', 'kmap', '--variant', 'M-B5', '--seed', '1');
const kmapToken = tokenIn(kmap.stdout);

describe('ITF traces', () => {
  test.each([['refcount', racyToken], ['kmap', kmapToken]])('%s: valid ITF, one state per step plus the start, ending in the violation', (_, token) => {
    const r = kcheck('replay', token, '--reporter', 'itf');
    expect(r.code).toBe(1);
    const trace = JSON.parse(r.stdout) as { vars: string[]; states: Record<string, unknown>[]; '#meta': { description: string; replay: string } };
    expect(itfErrors(trace)).toEqual([]);
    const steps = JSON.parse(kcheck('replay', token, '--json').stdout) as { steps: number; failure: { invariant: string } };
    expect(trace.states.length).toBe(steps.steps + 1);
    expect(trace['#meta'].description).toContain(`${steps.failure.invariant} violated`);
    expect(trace['#meta'].replay).toBe(`npx kcheck replay ${token}`);
  });

  test('the values follow the trace: the refcount drops 2 → 1 → 0', () => {
    const trace = JSON.parse(kcheck('replay', racyToken, '--reporter', 'itf').stdout) as { states: { refcount: { '#bigint': string } }[] };
    // the start, A's use and put, B's use and put, both reads of the count
    expect(trace.states.map((s) => s.refcount['#bigint'])).toEqual(['2', '2', '1', '1', '0', '0', '0']);
  });

  test('the validator rejects what breaks the rules (it can fail)', () => {
    expect(itfErrors({ vars: ['x'], states: [{ x: 1 }] })).not.toEqual([]); // a plain JSON number
    expect(itfErrors({ vars: ['x'], states: [{ y: true }] })).not.toEqual([]); // a variable missing
    expect(itfErrors({ vars: ['x', 'x'], states: [] })).not.toEqual([]);
  });
});

describe.skipIf(!available)('in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  beforeAll(async () => {
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('request', (r) => { requests.push(r.url()); });
  }, 60_000);
  afterAll(async () => { await browser?.close(); });

  describe('the HTML report of a counterexample', () => {
    const file = join(dir, 'cx.html');
    beforeAll(async () => {
      const r = kcheck('replay', racyToken, '--reporter', 'html');
      expect(r.code).toBe(1);
      writeFileSync(file, r.stdout);
      await page.goto(pathToFileURL(file).href);
    });

    test('loads nothing but itself', () => {
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    });

    test('one lane per CPU; each step in the column of its CPU, with the values it changed', async () => {
      expect(await page.locator('table.trace th').allTextContents()).toEqual(['step', 'CPU 0', 'CPU 1']);
      const s = decodeToken(racyToken);
      expect(s.cpus).toBe(2);
      // step 2: B preempts A; step 3: B's put drops the count to 0
      const row2 = page.locator('tr[data-step="2"]');
      const row3 = page.locator('tr[data-step="3"]');
      await expect.poll(() => row3.locator('td.active').getAttribute('data-cpu')).toBe('1');
      expect(await row3.locator('td.active').innerText()).toContain('refcount: 1 → 0');
      expect(await row2.getAttribute('class')).toContain('preempted');
      expect((await row3.getAttribute('class')) ?? '').not.toContain('preempted');
    });

    test('the violation, the spec state and the replay command are there', async () => {
      expect(await page.locator('.violation .name').innerText()).toBe('✗ refcount/released-once violated');
      expect(await page.locator('.spec-state').innerText()).toContain('"released"');
      expect(await page.locator('pre.replay').innerText()).toBe(`npx kcheck replay ${racyToken}`);
    });

    test('a screenshot shows the violation box in red and the preempted step in yellow', async () => {
      const png = await page.screenshot({ fullPage: true });
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      // decode the screenshot in the page and count the pixels of the two highlight colours
      const counts = await page.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, img.width, img.height).data;
        let red = 0;
        let yellow = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i] === 0xff && d[i + 1] === 0xeb && d[i + 2] === 0xe9) red++; // #ffebe9
          if (d[i] === 0xff && d[i + 1] === 0xf8 && d[i + 2] === 0xc5) yellow++; // #fff8c5
        }
        return { red, yellow, width: img.width, height: img.height };
      }, png.toString('base64'));
      expect(counts.width).toBe(1200);
      expect(counts.red).toBeGreaterThan(5000);
      expect(counts.yellow).toBeGreaterThan(1000);
    });
  });

  test('the HTML report of a run shows each verdict', async () => {
    const file = join(dir, 'run.html');
    const r = kcheck('run', '--protocol', REFCOUNT, '--runs', '50', '--seed', '1', '--reporter', 'html');
    expect(r.code).toBe(0);
    writeFileSync(file, r.stdout);
    await page.goto(pathToFileURL(file).href);
    expect(await page.locator('section.result').getAttribute('data-verdict')).toBe('holds');
    expect(await page.locator('h1').innerText()).toBe('refcount/dec-and-test: ✓ no violation in 50 runs');
  });

  describe('Mermaid diagrams, parsed and rendered by Mermaid', () => {
    beforeAll(async () => {
      await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
      await page.addScriptTag({ path: createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js') });
      await page.evaluate(() => (window as unknown as { mermaid: { initialize(o: object): void } }).mermaid.initialize({ startOnLoad: false }));
    });

    /** Mermaid's own parse and render: the diagram type it detected and the SVG's text. */
    const render = (text: string) => page.evaluate(async (t) => {
      const m = (window as unknown as { mermaid: { parse(t: string): Promise<{ diagramType: string }>; render(id: string, t: string): Promise<{ svg: string }> } }).mermaid;
      const parsed = await m.parse(t);
      const { svg } = await m.render(`d${Math.random().toString(36).slice(2)}`, t);
      const div = document.getElementById('out')!;
      div.innerHTML = svg;
      return { type: parsed.diagramType, text: div.textContent ?? '' };
    }, text);

    test.each([['refcount', racyToken], ['kmap', kmapToken]])('%s counterexample: a sequence diagram with the CPUs and the statechart', async (_, token) => {
      const r = kcheck('replay', token, '--reporter', 'mermaid');
      expect(r.code).toBe(1);
      const out = await render(r.stdout);
      expect(out.type).toBe('sequence');
      expect(out.text).toContain('CPU 0');
      expect(out.text).toContain('statechart');
      expect(out.text).toContain('violated');
    });

    test.each([['kmap', []], ['pasid', []], ['page-protection', []], ['refcount', ['--protocol', REFCOUNT]]])('kcheck diagram %s: a state diagram', async (name, extra) => {
      const r = kcheck('diagram', name, ...extra);
      expect(r.code).toBe(0);
      const out = await render(r.stdout);
      expect(out.type).toBe('stateDiagram');
      expect(out.text.length).toBeGreaterThan(0);
    });

    test('Mermaid rejects a broken diagram (the parse can fail)', async () => {
      await expect(render('sequenceDiagram\n  cpu0->>: missing target ->>')).rejects.toThrow();
    });
  });
});
