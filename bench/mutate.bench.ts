/**
 * The mutation self-audit's section, rendered from the last `npm run mutate` campaign
 * (bench/mutate/results.json): the campaign itself takes far longer than the other sections.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { renderSection, TITLE } from './mutate/report.js';
import { loadResults } from './mutate/results.js';

export const title = TITLE;
export const order = 90;

export async function run(): Promise<string> {
  return renderSection(loadResults(join(dirname(fileURLToPath(import.meta.url)), '..', '..')));
}
