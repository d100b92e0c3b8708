/**
 * The mutator of the mutation self-audit: parses a kernel-model file with the TypeScript compiler
 * API, finds the mutation sites and prints each mutant as one text edit of the source (the
 * replacement printed from AST nodes, the rest of the file byte for byte, so line numbers hold).
 *
 * Kinds (what a wrong kernel patch does): a removed assignment, call or yield; two adjacent
 * statements swapped across a yield (a racy action moved to the other side of an interleaving
 * point); a dropped lock/unlock or preempt/irq/migrate/pagefault enable/disable; off-by-one
 * (`<`↔`<=`, `>`↔`>=`, an added constant ±1, `++`↔`--`); a negated condition (`if (c)` →
 * `if (!c)`, `===`↔`!==`, `&&`↔`||`); a wrong CPU (`x.cpu()` → the next CPU where the code
 * indexes per-CPU state).
 *
 * Not listed: removing a bare interleaving point (`yield { fn, what }`): the mutant's runs are a
 * subset of the model's (two atomic steps merged into one), so no safety check can kill it.
 *
 * Skipped, because no mutation there can change a correct run: comments, imports, types, the
 * `what:`/`fn:` labels of yield points and every string or template; report-only functions
 * (`describe*`, `observe`); cost counters (`count()`, write-only statistics); assertions
 * (`BUG_ON`, `WARN_ON*` as statements and their arguments: an assertion that never fires in a
 * correct run changes nothing when removed, and mutating its condition tests the assertion, not
 * the invariants); and the catalogue's toggles (`cfg.mutant === '…'`) with the code only a buggy
 * variant runs behind them (flipping a toggle is the catalogued bug, which its variant's test covers).
 */
import ts from 'typescript';
import { guardOf, liveChildren } from './toggles.js';
import { ORIGINAL_KEY } from './results.js';

export const KINDS = [
  'remove-assignment', 'remove-call', 'remove-yield', 'swap-across-yield', 'drop-lock',
  'relational', 'constant', 'increment', 'negate-condition', 'equality', 'logical', 'cpu-index',
] as const;
export type MutationKind = (typeof KINDS)[number];

export interface Mutant {
  /** path from the package root, e.g. src/kernel/mm/highmem.ts */
  file: string;
  /** 1-based line of the mutated code */
  line: number;
  kind: MutationKind;
  /** what changed, e.g. "`<` → `<=`" */
  mutation: string;
  /** the source line(s) before and after, trimmed (a swap shows both lines) */
  original: string;
  mutated: string;
  /** the mutant is the source with [start, end) replaced by text */
  edit: { start: number; end: number; text: string };
  /**
   * the same mutation of the same text seen earlier in the file (`unlock_kmap(x);` removed at its
   * third call: 2); absent for the first. It keeps mutants that read alike apart in results and
   * judgments without tying them to line numbers, which unrelated edits move.
   */
  n?: number;
}

/** Calls that take or release exclusion: dropping one is the classic locking bug. */
const LOCKING = /^((raw_)?spin_(un)?lock(_irq|_irqsave|_irqrestore|_bh)?|mutex_(un)?lock|(preempt|migrate|pagefault|local_bh)_(en|dis)able|(cond_)?local_irq_(en|dis)able|local_irq_(save|restore)|fpregs_(un)?lock|kernel_fpu_(begin|end)|(get|put)_cpu(_ptr|_var)?|rcu_read_(un)?lock)$/;
/** Calls whose statements and arguments are never mutated: assertions and cost counters. */
const UNTOUCHED_CALLS = new Set(['BUG_ON', 'WARN_ON', 'WARN_ON_ONCE', 'count']);
const REPORT_ONLY = /^(describe\w*|observe)$/;
const LABELS = new Set(['what', 'fn']);

const printer = ts.createPrinter({ removeComments: false });

export function mutantsOf(file: string, source: string): Mutant[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: Mutant[] = [];
  const print = (n: ts.Node) => printer.printNode(ts.EmitHint.Unspecified, n, sf);
  const add = (kind: MutationKind, mutation: string, start: number, end: number, text: string) => {
    const line = sf.getLineAndCharacterOfPosition(start).line + 1;
    const lastLine = sf.getLineAndCharacterOfPosition(end).line + 1;
    const mutatedSource = source.slice(0, start) + text + source.slice(end);
    const lines = (src: string, from: number, to: number) => src.split('\n').slice(from - 1, to).map((l) => l.trim()).join(' ⏎ ');
    const mutatedLast = lastLine + (text.split('\n').length - source.slice(start, end).split('\n').length);
    out.push({ file, line, kind, mutation, original: lines(source, line, lastLine), mutated: lines(mutatedSource, line, mutatedLast), edit: { start, end, text } });
  };
  const span = (n: ts.Node) => [n.getStart(sf), n.getEnd()] as const;
  const snippet = (n: ts.Node) => {
    const t = n.getText(sf).replace(/\s+/g, ' ');
    return t.length > 60 ? `${t.slice(0, 57)}...` : t;
  };

  const statement = (s: ts.Statement) => {
    if (!ts.isExpressionStatement(s)) return;
    const e = strip(s.expression);
    const kind = statementKind(e);
    if (kind === null) return;
    add(kind, `remove \`${snippet(s)}\``, ...span(s), ';');
  };

  const swaps = (list: readonly ts.Statement[]) => {
    for (let i = 0; i + 1 < list.length; i++) {
      const [a, b] = [list[i]!, list[i + 1]!];
      if (!movable(a) || !movable(b)) continue;
      if (!hasYield(a) && !hasYield(b)) continue;
      if (isBareYield(a) && isBareYield(b)) continue; // two interleaving points: only labels move
      const between = source.slice(a.getEnd(), b.getStart(sf));
      add('swap-across-yield', `swap \`${snippet(a)}\` and \`${snippet(b)}\``, a.getStart(sf), b.getEnd(), b.getText(sf) + between + a.getText(sf));
    }
  };

  const condition = (c: ts.Expression) => {
    const e = strip(c);
    if (isEquality(e)) return; // the equality flip is the same mutant
    const negated = ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken
      ? e.operand
      : ts.factory.createLogicalNot(ts.isLeftHandSideExpression(e) ? e : ts.factory.createParenthesizedExpression(e));
    add('negate-condition', `\`${snippet(c)}\` → \`${print(negated)}\``, ...span(c), print(negated));
  };

  const binary = (b: ts.BinaryExpression) => {
    const op = b.operatorToken.kind;
    const flip = FLIPS.get(op);
    if (flip && guardOf(b) === null) {
      const kind: MutationKind = op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken ? 'logical'
        : isEquality(b) ? 'equality' : 'relational';
      add(kind, `\`${ts.tokenToString(op)}\` → \`${ts.tokenToString(flip)}\``, ...span(b.operatorToken), ts.tokenToString(flip)!);
    }
    if (ADDITIVE.has(op)) {
      for (const lit of [b.left, b.right]) {
        if (!ts.isNumericLiteral(lit) || (lit === b.left && op !== ts.SyntaxKind.PlusToken)) continue;
        const v = Number(lit.text);
        for (const w of [v + 1, v - 1]) {
          if (w < 0) continue;
          add('constant', `\`${snippet(b)}\`: ${v} → ${w}`, ...span(lit), print(ts.factory.createNumericLiteral(w)));
        }
      }
    }
  };

  const increment = (u: ts.PrefixUnaryExpression | ts.PostfixUnaryExpression) => {
    const other = u.operator === ts.SyntaxKind.PlusPlusToken ? ts.SyntaxKind.MinusMinusToken : ts.SyntaxKind.PlusPlusToken;
    const at = ts.isPrefixUnaryExpression(u) ? u.getStart(sf) : u.operand.getEnd();
    add('increment', `\`${ts.tokenToString(u.operator)}\` → \`${ts.tokenToString(other)}\` in \`${snippet(u)}\``, at, at + 2, ts.tokenToString(other)!);
  };

  const cpu = (call: ts.CallExpression) => {
    const recv = (call.expression as ts.PropertyAccessExpression).expression;
    const f = ts.factory;
    const cpus = f.createPropertyAccessExpression(f.createPropertyAccessExpression(f.createPropertyAccessExpression(recv, 'w'), 'cpus'), 'length');
    const next = f.createParenthesizedExpression(f.createBinaryExpression(
      f.createParenthesizedExpression(f.createBinaryExpression(call, ts.SyntaxKind.PlusToken, f.createNumericLiteral(1))),
      ts.SyntaxKind.PercentToken, cpus));
    add('cpu-index', `\`${snippet(call)}\` → the next CPU`, ...span(call), print(next));
  };

  const visit = (n: ts.Node): void => {
    if (skipped(n)) return;
    if (ts.isBlock(n) || ts.isSourceFile(n) || ts.isCaseClause(n) || ts.isDefaultClause(n)) swaps(n.statements);
    if (ts.isExpressionStatement(n) && isUntouchedCall(strip(n.expression))) return;
    if (ts.isStatement(n)) statement(n);
    if ((ts.isIfStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n) || ts.isConditionalExpression(n)) && guardOf(conditionOf(n)) === null) condition(conditionOf(n));
    if (ts.isForStatement(n) && n.condition) condition(n.condition);
    if (ts.isBinaryExpression(n)) binary(n);
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && INCREMENTS.has(n.operator)) increment(n);
    if (isCpuCall(n) && indexesPerCpuState(n)) cpu(n);
    for (const child of liveChildren(n)) visit(child);
  };
  visit(sf);
  out.sort((a, b) => a.edit.start - b.edit.start || KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  const seen = new Map<string, number>();
  for (const m of out) {
    const text = `${m.kind}|${m.mutation}|${m.original.slice(0, ORIGINAL_KEY)}`;
    const n = seen.get(text) ?? 0;
    seen.set(text, n + 1);
    if (n > 0) m.n = n;
  }
  return out;
}

export function applyMutant(source: string, m: Mutant): string {
  return source.slice(0, m.edit.start) + m.edit.text + source.slice(m.edit.end);
}

const FLIPS = new Map<ts.SyntaxKind, ts.SyntaxKind>([
  [ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken], [ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.LessThanToken],
  [ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken], [ts.SyntaxKind.GreaterThanEqualsToken, ts.SyntaxKind.GreaterThanToken],
  [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken], [ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken],
  [ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken], [ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.EqualsEqualsToken],
  [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken], [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.AmpersandAmpersandToken],
]);
const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);
const ADDITIVE = new Set([ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.PlusEqualsToken, ts.SyntaxKind.MinusEqualsToken]);
const INCREMENTS = new Set([ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken]);

const conditionOf = (n: ts.IfStatement | ts.WhileStatement | ts.DoStatement | ts.ConditionalExpression) => (ts.isConditionalExpression(n) ? n.condition : n.expression);
const strip = (e: ts.Expression): ts.Expression => (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) ? strip(e.expression) : e);
const isEquality = (e: ts.Node): e is ts.BinaryExpression => ts.isBinaryExpression(e) && EQUALITY.has(e.operatorToken.kind);
const isAssignment = (e: ts.Expression) => (ts.isBinaryExpression(e) && e.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && e.operatorToken.kind <= ts.SyntaxKind.LastAssignment)
  || ((ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) && INCREMENTS.has(e.operator)) || ts.isDeleteExpression(e);

function calleeName(e: ts.Expression): string | undefined {
  if (!ts.isCallExpression(e)) return undefined;
  const c = e.expression;
  return ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : undefined;
}

const isUntouchedCall = (e: ts.Expression) => UNTOUCHED_CALLS.has(calleeName(e) ?? '');

function statementKind(e: ts.Expression): MutationKind | null {
  if (isAssignment(e)) return 'remove-assignment';
  if (ts.isYieldExpression(e)) {
    const inner = e.expression && strip(e.expression);
    if (e.asteriskToken && inner && ts.isCallExpression(inner)) return LOCKING.test(calleeName(inner) ?? '') ? 'drop-lock' : 'remove-call';
    // a bare interleaving point: removing it only merges two atomic steps, so the mutant's runs
    // are a subset of the model's and no safety check can kill it (equivalent by construction)
    if (inner && ts.isObjectLiteralExpression(inner) && inner.properties.every((p) => p.name && ts.isIdentifier(p.name) && LABELS.has(p.name.text))) return null;
    return 'remove-yield';
  }
  if (ts.isCallExpression(e)) return LOCKING.test(calleeName(e) ?? '') ? 'drop-lock' : 'remove-call';
  return null;
}

/**
 * A statement a swap may move: an expression or an if, neither a declaration nor a jump; not a
 * toggle's `if` without else (a no-op in every correct variant: moving it changes nothing there).
 */
const movable = (s: ts.Statement) => (ts.isExpressionStatement(s) && !isUntouchedCall(strip(s.expression)))
  || (ts.isIfStatement(s) && !(guardOf(s.expression) === 'bug' && !s.elseStatement));

/** A yield in the statement itself, not in a function nested in it. */
function hasYield(n: ts.Node): boolean {
  if (ts.isYieldExpression(n)) return true;
  if (ts.isFunctionLike(n)) return false;
  return ts.forEachChild(n, hasYield) ?? false;
}

/** `yield { fn, what }` or `yield* at(...)`: an interleaving point and nothing else. */
function isBareYield(s: ts.Statement): boolean {
  if (!ts.isExpressionStatement(s) || !ts.isYieldExpression(s.expression)) return false;
  const y = s.expression;
  return (!y.asteriskToken && y.expression !== undefined && ts.isObjectLiteralExpression(y.expression)) || (!!y.asteriskToken && calleeName(strip(y.expression!)) === 'at');
}

/** Whole subtrees with nothing to mutate: declarations of types and imports, labels, strings, report-only code. */
function skipped(n: ts.Node): boolean {
  if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isTypeNode(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return true;
  if (ts.isTemplateExpression(n) || ts.isStringLiteralLike(n)) return true;
  if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && LABELS.has(n.name.text)) return true;
  if (ts.isCallExpression(n) && isUntouchedCall(n)) return true;
  if ((ts.isFunctionDeclaration(n) || ts.isVariableDeclaration(n)) && n.name && ts.isIdentifier(n.name) && REPORT_ONLY.test(n.name.text)) return true;
  return false;
}

const isCpuCall = (n: ts.Node): n is ts.CallExpression => ts.isCallExpression(n) && n.arguments.length === 0
  && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'cpu';

/** `x.cpu()` used to pick per-CPU state: an index, an argument, a stored CPU number or a comparison. */
function indexesPerCpuState(call: ts.CallExpression): boolean {
  let child: ts.Node = call;
  let p = call.parent;
  while (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p)) [child, p] = [p, p.parent];
  if (ts.isElementAccessExpression(p)) return p.argumentExpression === child;
  if (ts.isCallExpression(p)) return p.arguments.includes(child as ts.Expression);
  if (ts.isVariableDeclaration(p)) return p.initializer === child;
  if (ts.isBinaryExpression(p)) return p.right === child || isEquality(p);
  return false;
}
