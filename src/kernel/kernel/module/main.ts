/**
 * Loading a module that uses the memregion interface (kernel/module/main.c, v6.2): resolving each
 * symbol checks its export namespace, verify_namespace_is_imported(): "module %s uses symbol %s
 * from namespace %s, but does not import it." fails the load with -EINVAL. v5 exports the
 * interface in the DEVMEM namespace "that only the NVDIMM and CXL subsystems are expected to
 * import"; v3 exported it to every GPL module. Every symbol resolved is reported (LINK) for the
 * allow-list of E-INV4. Modules are named by what they are; only a module outside the namespace
 * is loaded at run time here (the DEVMEM importers are built in at boot).
 */
import type { Gen } from '../../../sim/thread.js';
import { memregion_export_namespace } from '../../arch/x86/mm/pat/set_memory.js';
import { EINVAL, ENOENT, type X } from '../../mm/memregion-types.js';

export interface Module {
  name: string;
  /** MODULE_IMPORT_NS() */
  imports: string[];
  /** the memregion symbols it calls */
  uses: string[];
  init(x: X): Gen<number>;
}

/** resolve_symbol(): "Unknown symbol" (-ENOENT) before the interface existed, then the namespace check. */
function resolve_symbol(x: X, mod: Module): number {
  const ns = memregion_export_namespace(x.w.k.cfg);
  if (ns === undefined) return ENOENT;
  return ns === '' || mod.imports.includes(ns) ? 0 : EINVAL;
}

export function* load_module(x: X, mod: Module): Gen<number> {
  yield { fn: 'load_module', what: `simplify_symbols(${mod.name}): ${mod.uses.join(', ')}` };
  const rc = resolve_symbol(x, mod);
  if (rc) return rc;
  for (const symbol of mod.uses) x.emit({ type: 'LINK', module: mod.name, symbol });
  return yield* mod.init(x);
}
