/**
 * The #VE handler of a TDX guest (arch/x86/coco/tdx/tdx.c, arch/x86/kernel/traps.c, v6.2):
 * WBINVD is not an instruction the TDX module emulates, so virt_exception_kernel() reaches its
 * default case (pr_warn("Unexpected #VE"), -EIO), tdx_handle_virt_exception() fails and
 * exc_virtualization_exception() calls ve_raise_fault(), which for kernel mode is
 * die_addr("VE fault"): the kernel dies. That is why the v3 changelog keeps cache invalidation
 * out of guests ("TDX guests may trigger a virtualization exception").
 */
import { BUG_ON, type Gen } from '../../../../../sim/thread.js';
import type { X } from '../../../../mm/memregion-types.js';

export function* exc_virtualization_exception(_x: X): Gen {
  yield { fn: 'exc_virtualization_exception', what: 'tdx_get_ve_info(): exit reason WBINVD' };
  BUG_ON(true, 've_raise_fault', 'VE fault: virt_exception_kernel(): unexpected #VE (WBINVD), die_addr()');
}
