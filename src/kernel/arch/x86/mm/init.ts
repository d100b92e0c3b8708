/**
 * poking_init() (arch/x86/mm/init.c, 5.10; series by Nadav Amit / Rick Edgecombe, 05/17
 * "x86/mm: initialize temporary mm for patching" <20190129003422.9328-6-rick.p.edgecombe@intel.com>):
 * poking_mm = copy_init_mm(); poking_addr random in [TASK_UNMAPPED_BASE, TASK_SIZE - 3 pages),
 * moved one page on if the page after it would start a new PMD (both pages must share one PTE
 * table); the PTE table is preallocated because "poking may be performed in an atomic section".
 * Boot code: it runs before any workload, as a plain function.
 * Abstracted: the preallocation is implicit (page tables are maps), kaslr_get_random_long() is
 * the workload parameter `kaslr` (so both outcomes of the PMD test are reached).
 */
import { newMm, PAGE_SIZE, PMD_SIZE, TASK_SIZE, TASK_UNMAPPED_BASE, type TextPokeState } from '../../../mm/text-poke-types.js';

export function poking_init(k: TextPokeState, o: { cpus: number; kaslr: number }): void {
  // poking_mm is the mm after init_mm (POKING_MM)
  newMm(k, 'poking_mm', o.cpus);
  let addr = TASK_UNMAPPED_BASE + ((o.kaslr * PAGE_SIZE) % (TASK_SIZE - TASK_UNMAPPED_BASE - 3 * PAGE_SIZE));
  if ((addr + PAGE_SIZE) % PMD_SIZE === 0) addr += PAGE_SIZE;
  k.poking_addr = addr;
}
