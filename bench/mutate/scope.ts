/**
 * Which kernel-model files a protocol runs: the `src/kernel/**` files reachable by imports from
 * the protocol's definition `properties/<name>.ts` (type-only imports left out: they emit no code).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

/** Paths (from the package root) of the kernel-model files the protocol's definition imports, directly or not. */
export function kernelFilesOf(root: string, protocol: string): string[] {
  const seen = new Set<string>();
  const todo = [join(root, 'properties', `${protocol}.ts`)];
  if (!existsSync(todo[0]!)) throw new Error(`no protocol definition properties/${protocol}.ts`);
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of valueImports(file)) {
      if (!spec.startsWith('.')) continue;
      const target = join(dirname(file), spec).replace(/\.js$/, '.ts');
      if (existsSync(target)) todo.push(target);
    }
  }
  return [...seen].map((f) => relative(root, f)).filter((f) => f.startsWith('src/kernel/')).sort();
}

function valueImports(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const s of sf.statements) {
    if ((ts.isImportDeclaration(s) && !s.importClause?.isTypeOnly) || (ts.isExportDeclaration(s) && !s.isTypeOnly && s.moduleSpecifier)) {
      out.push((s.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return out;
}
