/**
 * The catalogue's toggles in the kernel model: `cfg.mutant === 'M-…'` selects a catalogued bug,
 * which only buggy variants set. What a toggle guards runs in buggy variants only, so no mutation
 * there can change a correct run; and flipping a toggle is the catalogued bug itself, which the
 * buggy variant's own test covers. The mutator leaves both alone.
 */
import ts from 'typescript';

/** 'bug': true only in buggy variants; 'fixed': true in every correct variant; null: neither known. */
export type Guard = 'bug' | 'fixed' | null;

const strip = (e: ts.Expression): ts.Expression => (ts.isParenthesizedExpression(e) ? strip(e.expression) : e);

const isMutantField = (e: ts.Expression) => {
  const s = strip(e);
  return ts.isPropertyAccessExpression(s) && s.name.text === 'mutant' && ts.isPropertyAccessExpression(s.expression) && s.expression.name.text === 'cfg';
};

export function guardOf(e: ts.Expression): Guard {
  const s = strip(e);
  if (ts.isPrefixUnaryExpression(s) && s.operator === ts.SyntaxKind.ExclamationToken) {
    const g = guardOf(s.operand);
    return g === 'bug' ? 'fixed' : g === 'fixed' ? 'bug' : null;
  }
  if (!ts.isBinaryExpression(s)) return null;
  const op = s.operatorToken.kind;
  if ((op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken)
    && (isMutantField(s.left) || isMutantField(s.right))) {
    return op === ts.SyntaxKind.EqualsEqualsEqualsToken ? 'bug' : 'fixed';
  }
  const [l, r] = [guardOf(s.left), guardOf(s.right)];
  if (op === ts.SyntaxKind.AmpersandAmpersandToken && (l === 'bug' || r === 'bug')) return 'bug';
  if (op === ts.SyntaxKind.BarBarToken && (l === 'fixed' || r === 'fixed')) return 'fixed';
  return null;
}

/** The children of n that a correct variant can run (the branches a toggle keeps for buggy variants dropped). */
export function liveChildren(n: ts.Node): ts.Node[] {
  if (ts.isIfStatement(n) || ts.isConditionalExpression(n)) {
    const [cond, then, other] = ts.isIfStatement(n) ? [n.expression, n.thenStatement, n.elseStatement] : [n.condition, n.whenTrue, n.whenFalse];
    const g = guardOf(cond);
    if (g === 'bug') return other ? [other] : [];
    if (g === 'fixed') return [then];
    return other ? [cond, then, other] : [cond, then];
  }
  if (ts.isBinaryExpression(n) && guardOf(n) !== null) return [];
  const out: ts.Node[] = [];
  ts.forEachChild(n, (c) => { out.push(c); });
  return out;
}
