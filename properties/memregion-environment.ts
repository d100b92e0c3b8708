/**
 * The hardware's own moves, offered to the scheduler as environment actions (one atomic step
 * each, at any time): a CPU fills a line speculatively (or a prefetcher or firmware does) from
 * any address that is decoded, mapped or not; a dirty line is written back on the cache's
 * initiative. A fill is enabled only where the CPU does not hold the line, a write-back only for
 * a dirty line, so every action changes something.
 */
import type { MemregionEvent } from '../model/memregion.machine.js';
import type { EnvAction } from '../src/protocol.js';
import { cache_fill, cache_writeback } from '../src/kernel/hw/cpu-cache.js';
import { ADDRS, prov, route, type MemregionState } from '../src/kernel/mm/memregion-types.js';
import type { World } from '../src/sim/world.js';

export function memregionEnvironment(w: World<MemregionState>): EnvAction<MemregionState, MemregionEvent>[] {
  const hw = w.k.hw;
  const out: EnvAction<MemregionState, MemregionEvent>[] = [];
  hw.caches.forEach((cache, cpu) => {
    for (const addr of ADDRS) {
      const line = cache[addr];
      const dev = route(hw, addr);
      if (!line && dev !== null) {
        out.push({ cpu, fn: 'speculative fill', what: `cpu${cpu} caches ${addr} (decoded to ${dev})`, run: (x) => cache_fill(x.w.k.hw, cpu, addr) });
      } else if (line?.dirty) {
        out.push({ cpu, fn: 'write-back', what: `cpu${cpu} writes back ${addr} (${prov(line)}) to ${dev ?? 'nothing'}`, run: (x) => cache_writeback(x.w.k.hw, cpu, addr) });
      }
    }
  });
  return out;
}
