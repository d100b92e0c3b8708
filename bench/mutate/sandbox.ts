/**
 * A private copy of dist/ in os.tmpdir() where one mutant at a time replaces one compiled
 * kernel-model file; the source tree and dist/ are never written. node_modules is linked, so the
 * copy resolves its dependencies as dist/ does.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

/** The kernel-model source compiled alone, as tsc compiles it (ES2023 modules, no type check). */
export function transpile(file: string, source: string): string {
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false, sourceMap: false },
  });
  const errors = out.diagnostics?.filter((d) => d.category === ts.DiagnosticCategory.Error) ?? [];
  if (errors.length) throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(errors[0]!.messageText, '\n')}`);
  return out.outputText;
}

export class Sandbox {
  readonly dir: string;
  private changed = new Map<string, string>();

  constructor(root: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'kcheck-mutate-'));
    cpSync(join(root, 'dist'), join(this.dir, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('.d.ts') });
    writeFileSync(join(this.dir, 'package.json'), readFileSync(join(root, 'package.json')));
    symlinkSync(join(root, 'node_modules'), join(this.dir, 'node_modules'), 'dir');
  }

  /** Puts compiled JS in place of dist/<file>.js (file: src/kernel/....ts), the previous replacements undone. */
  put(replacements: Map<string, string>): void {
    this.restore();
    for (const [file, js] of replacements) {
      const target = this.jsOf(file);
      this.changed.set(target, readFileSync(target, 'utf8'));
      writeFileSync(target, js);
    }
  }

  restore(): void {
    for (const [target, original] of this.changed) writeFileSync(target, original);
    this.changed.clear();
  }

  jsOf(file: string): string {
    return join(this.dir, 'dist', file.replace(/\.ts$/, '.js'));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
