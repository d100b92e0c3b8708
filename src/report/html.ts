/**
 * A self-contained HTML report of a run or a counterexample: the verdict, the seed and bounds,
 * and for a counterexample the violated invariant, the spec state, the workload, the trace as
 * lanes per CPU (each step in its CPU's column, with the values it changed and the spec events
 * it reported; preemptions marked) and the replay command. No script, no network: inline CSS.
 */
import type { CheckResult, Counterexample } from '../check/check.js';
import { established, renderBounds } from './text.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1b1f24; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.ok { color: #1a7f37; } .fail { color: #cf222e; } .inconclusive { color: #9a6700; }
.meta { color: #57606a; margin: 2px 0; }
.violation { border: 2px solid #cf222e; background: #ffebe9; padding: 8px 12px; border-radius: 6px; margin: 12px 0; }
.violation .name { font-weight: 600; color: #cf222e; }
code, pre, .lane { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
pre { background: #f6f8fa; padding: 8px 12px; border-radius: 6px; overflow-x: auto; }
table.trace { border-collapse: collapse; width: 100%; table-layout: fixed; }
table.trace th { background: #f6f8fa; border-bottom: 2px solid #d0d7de; text-align: left; padding: 4px 8px; }
table.trace td { border-bottom: 1px solid #eaeef2; vertical-align: top; padding: 4px 8px; }
table.trace .step { width: 48px; color: #57606a; text-align: right; }
pre.replay { white-space: pre-wrap; word-break: break-all; }
table.trace td.lane { border-left: 3px solid #eaeef2; }
table.trace td.active { border-left-color: #0969da; background: #ddf4ff; }
tr.preempted td.active { border-left-color: #bf8700; background: #fff8c5; }
tr.failed td.active { border-left-color: #cf222e; background: #ffebe9; }
.who { color: #0550ae; font-weight: 600; } .fn { font-weight: 600; }
.change { color: #57606a; } .spec { color: #8250df; } .warn { color: #9a6700; } .mark { color: #bf8700; font-weight: 700; }
`;

function traceTable(cx: Counterexample): string {
  const cpus = cx.scenario.cpus;
  const head = `<tr><th class="step">step</th>${Array.from({ length: cpus }, (_, c) => `<th>CPU ${c}</th>`).join('')}</tr>`;
  const rows = cx.trace.map((s) => {
    const cls = [s.preempted ? 'preempted' : '', s.i === cx.failure.step ? 'failed' : ''].filter(Boolean).join(' ');
    const body = [
      `${s.preempted ? '<span class="mark" title="preemption">⇄ </span>' : ''}<span class="who">${esc(s.ctx)}</span> <span class="fn">${esc(s.fn)}</span>: ${esc(s.what)}`,
      ...s.changes.map((c) => `<div class="change">${esc(c)}</div>`),
      ...s.spec.map((e) => `<div class="spec">spec ← ${esc(e)}</div>`),
      ...s.warnings.map((w) => `<div class="warn">${esc(w)}</div>`),
    ].join('');
    const cells = Array.from({ length: cpus }, (_, c) => (c === s.cpu ? `<td class="lane active" data-cpu="${c}">${body}</td>` : `<td class="lane" data-cpu="${c}"></td>`));
    return `<tr data-step="${s.i}"${cls ? ` class="${cls}"` : ''}><td class="step">${s.i}</td>${cells.join('')}</tr>`;
  });
  return `<table class="trace">${head}${rows.join('\n')}</table>`;
}

export function counterexampleHtml(cx: Counterexample): string {
  const f = cx.failure;
  return [
    `<div class="violation"><div class="name">✗ ${esc(f.invariant)} violated</div>`,
    `<div>${esc(f.message)}</div><div class="meta">meaning: ${esc(f.meaning)} (${esc(f.kind)}, after step ${f.step})</div>`,
    f.specState ? `<div class="meta">spec state that refused ${esc(f.event ?? '')}: <code class="spec-state">${esc(f.specState)}</code></div>` : '',
    '</div>',
    '<h2>workload</h2>', `<pre>${esc(cx.workload.join('\n'))}</pre>`,
    `<h2>counterexample: ${cx.steps} steps, ${cx.preemptions} preemption(s)</h2>`,
    '<p class="meta">Each row is one step, in the column of the CPU that ran it, with the values it changed and the events it reported to the statechart; ⇄ marks a preemption.</p>',
    traceTable(cx),
    '<h2>replay</h2>', `<pre class="replay">npx kcheck replay ${esc(cx.token)}</pre>`,
  ].join('\n');
}

function resultHtml(r: CheckResult): string {
  const name = `${r.protocol}/${r.variant}${r.buggy ? ' (known-buggy variant)' : ''}`;
  const verdict = !r.ok ? `<span class="fail">✗ counterexample found</span>` : r.incomplete ? `<span class="inconclusive">? incomplete: ${esc(r.incomplete)}</span>`
    : `<span class="ok">✓ ${r.stats.exhaustive ? 'proved within the bounds' : `no violation in ${r.stats.runs} runs`}</span>`;
  const s = r.stats;
  return [
    `<section class="result" data-verdict="${!r.ok ? 'counterexample' : r.incomplete ? 'incomplete' : 'holds'}">`,
    `<h1>${esc(name)}: ${verdict}</h1>`,
    `<p class="meta">${s.runs} runs, ${s.steps} steps in ${(s.timeMs / 1000).toFixed(2)} s, seed ${s.seed}${s.envOverrides.length ? ` [env: ${esc(s.envOverrides.join(' '))}]` : ''}</p>`,
    `<p class="meta">${esc(renderBounds(s))}</p>`,
    r.ok ? `<p class="meta">${esc(established(s))}</p>` : counterexampleHtml(r),
    '</section>',
  ].join('\n');
}

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`
    + `<title>${esc(title)}</title><style>${CSS}</style></head><body>\n${body}\n</body></html>\n`;
}

export function runHtml(results: CheckResult[]): string {
  return page('kcheck report', results.map(resultHtml).join('\n<hr>\n'));
}

export function replayHtml(cx: Counterexample & { protocol: string; variant: string }): string {
  return page(`kcheck: ${cx.protocol}/${cx.variant}`, `<section class="result" data-verdict="counterexample"><h1>${esc(`${cx.protocol}/${cx.variant}`)}: <span class="fail">✗ counterexample</span></h1>\n${counterexampleHtml(cx)}</section>`);
}
