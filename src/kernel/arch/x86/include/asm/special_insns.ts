/**
 * wbinvd() (arch/x86/include/asm/special_insns.h, native_wbinvd()): write back and invalidate
 * this CPU's caches. On bare metal the hardware does it; a KVM guest's WBINVD exits to KVM, which
 * ignores it unless the VM has non-coherent DMA (kvm_emulate_wbinvd(); "KVM, for example, has
 * been known to just trap and ignore the call", v5 changelog); in a TDX guest it raises #VE.
 */
import type { Gen } from '../../../../../sim/thread.js';
import { count } from '../../../../../sim/world.js';
import { wbinvd_hw } from '../../../../hw/cpu-cache.js';
import type { X } from '../../../../mm/memregion-types.js';
import { exc_virtualization_exception } from '../../coco/tdx/tdx.js';

export function* wbinvd(x: X): Gen {
  yield { fn: 'native_wbinvd', what: `WBINVD on cpu${x.cpu()}` };
  const hw = x.w.k.hw;
  switch (hw.platform) {
    case 'metal':
      wbinvd_hw(x.w, x.cpu());
      return;
    case 'kvm':
      hw.guestWbinvd++;
      count(x.w, 'wbinvd-ignored');
      return;
    case 'tdx':
      yield* x.exception('#VE', exc_virtualization_exception);
  } // unreached: after #VE: exc_virtualization_exception() always BUGs (ve_raise_fault(): die_addr()), which ends the run
}
