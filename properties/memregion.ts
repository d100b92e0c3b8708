/**
 * The memregion protocol (memregion.md, seed 002): cpu_cache_invalidate_memregion() and the
 * NVDIMM and CXL code that must invalidate CPU caches around media-changing events. Ties the
 * statechart, the kernel model on its machine (bare metal or a guest), the workloads, the
 * hardware's environment actions and the invariants.
 */
import { memregionMachine, type MemregionEvent } from '../model/memregion.machine.js';
import { defineProtocol } from '../src/protocol.js';
import { ADDRS, DEVS, DIMMS, prov, type Dev, type Device, type MemregionState, type Nvdimm, type X } from '../src/kernel/mm/memregion-types.js';
import type { World } from '../src/sim/world.js';
import { memregionEnvironment } from './memregion-environment.js';
import { memregionInvariants } from './memregion-invariants.js';
import { boot, describeOp, program } from './memregion-programs.js';
import { shrinkMemregionWorkload } from './memregion-shrink.js';
import { memregionVariants, type MemregionVariantConfig } from './memregion-variants.js';
import { ACTIVITIES, enumerateMemregion, memregionParameters, memregionWorkload, type MemregionWorkload } from './memregion-workload.js';

const taskName = (i: number) => String.fromCharCode(65 + i);

function createState(v: MemregionVariantConfig, wl: MemregionWorkload, cpus: number): MemregionState {
  const { kernel: cfg, machine: m } = v;
  const cxlUp = cfg.cxl !== null && wl.cxlUp;
  // at boot: region0 over the DIMMs unless they are locked, region1 over mem0 when the CXL region is up
  const inUse = (d: Dev) => (DIMMS.includes(d) ? !wl.locked : cxlUp && d === 'mem0');
  // memdevs used as ram have no cxl_nvdimm, hence no nvdimm security ops and no nd_region busy count
  const pmem = (d: Dev) => DIMMS.includes(d) || (present(d) && !wl.ram);
  // the memdevs exist only in configurations with a CXL region
  const present = (d: Dev) => DIMMS.includes(d) || cfg.cxl !== null;
  const locked = (d: Dev) => wl.locked && !inUse(d) && present(d);
  const devices = {} as Record<Dev, Device>;
  const nvdimm = {} as Record<Dev, Nvdimm>;
  const security = m.platform === 'metal' || m.guestSecurity;
  for (const d of DEVS) {
    devices[d] = { epoch: 0, cell: { dev: d, epoch: 0 }, locked: locked(d), overwrite: 0 };
    nvdimm[d] = {
      NDD_INCOHERENT: false, NDD_SECURITY_OVERWRITE: false, NDD_WORK_PENDING: false,
      secOps: !security || !pmem(d) ? null : DIMMS.includes(d) ? 'intel' : 'cxl', busy: inUse(d) && pmem(d) ? 1 : 0, probed: !locked(d),
    };
  }
  return {
    cfg,
    hw: {
      platform: m.platform, emulated: m.emulated, caches: Array.from({ length: cpus }, () => ({})), devices,
      overwritePolls: wl.polls, decodeX: cxlUp ? 'mem0' : null, lastLoad: Array.from({ length: cpus }, () => null),
      guestWbinvd: 0, guestEvent: null,
    },
    nvdimm,
    regions: {
      region0: { mappings: [...DIMMS], active: !wl.locked },
      region1: { mappings: cxlUp ? ['mem0'] : [], active: cxlUp },
    },
    cxlr: cfg.cxl === null ? null : {
      mode: wl.ram ? 'ram' : 'pmem', state: cxlUp ? 'CXL_CONFIG_COMMIT' : 'CXL_CONFIG_IDLE', target: cxlUp ? 'mem0' : null, CXL_REGION_F_INCOHERENT: false, bound: cxlUp,
    },
    probe_active: 0,
    booted: !bootProbes(v, wl),
    admin: {},
  };
}

/** Locked devices are unlocked by the boot-time probes, unless the key comes late. */
const bootProbes = (v: MemregionVariantConfig, wl: MemregionWorkload) => wl.locked && !v.machine.lateUnlock;

const REFUSAL: Record<MemregionEvent['type'], string> = {
  LINK: 'memregion/E-INV4-scope',
  ACTIVATE: 'memregion/E-INV6-in-flight',
  DEACTIVATE: 'memregion/E-INV6-in-flight',
  MEDIA: 'memregion/E-INV6-in-flight',
  MEDIA_DONE: 'memregion/E-INV6-in-flight',
};

function observe(w: World<MemregionState>): Record<string, string | number> {
  const k = w.k;
  const o: Record<string, string | number> = {};
  k.hw.caches.forEach((cache, c) => {
    o[`cpu${c}.cache`] = ADDRS.flatMap((a) => (cache[a] ? [`${a}=${prov(cache[a]!)}${cache[a]!.dirty ? '*' : ''}`] : [])).join(' ') || '-';
    const l = k.hw.lastLoad[c];
    if (l) o[`cpu${c}.last load`] = `${l.addr} → ${prov(l.got)} (held ${prov(l.held)})`;
  });
  for (const d of DEVS) {
    const dev = k.hw.devices[d];
    o[`${d}.media`] = `${prov(dev.cell)}${dev.locked ? ' locked' : ''}${dev.overwrite ? ' overwriting' : ''}`;
    const n = k.nvdimm[d];
    const flags = (['NDD_INCOHERENT', 'NDD_SECURITY_OVERWRITE'] as const).filter((f) => n[f]);
    o[`${d}.flags`] = [...flags, ...(n.busy ? [`busy ${n.busy}`] : []), ...(n.probed ? [] : ['unbound'])].join(' ') || '-';
  }
  o['X0 decode'] = k.hw.decodeX ?? '-';
  for (const r of ['region0', 'region1'] as const) o[r] = k.regions[r].active ? `active (${k.regions[r].mappings.join(',')})` : 'disabled';
  if (k.cxlr) o['cxl region'] = `${k.cxlr.state.replace('CXL_CONFIG_', '')} → ${k.cxlr.target ?? '-'}${k.cxlr.bound ? ', bound' : ''}${k.cxlr.CXL_REGION_F_INCOHERENT ? ', INCOHERENT' : ''}`;
  o['probe_active'] = k.probe_active;
  if (k.hw.guestWbinvd) o['guest WBINVD (ignored)'] = k.hw.guestWbinvd;
  return o;
}

function describeBoot(wl: MemregionWorkload): string {
  const dimms = wl.locked ? 'devices locked, region0 disabled (init unlocks them and enables region0 before user space, unless the key comes late)' : 'region0 active';
  const cxl = wl.cxlUp ? `CXL ${wl.ram ? 'ram' : 'pmem'} region committed to mem0 and bound` : `no CXL region up${wl.ram ? ' (ram mode)' : ''}`;
  return `boot: ${dimms}; ${cxl}; an overwrite takes ${wl.polls} status poll(s)`;
}

export const memregionProtocol = defineProtocol({
  name: 'memregion',
  description: 'cpu_cache_invalidate_memregion(): CPU cache invalidation around NVDIMM security operations and CXL region (re)configuration, gated to bare metal',
  machine: memregionMachine,
  variants: memregionVariants,
  invariants: memregionInvariants,
  workload: memregionWorkload,
  operations: [...ACTIVITIES],
  parameters: memregionParameters,
  enumerate: enumerateMemregion,
  setup(wl: MemregionWorkload, variant, { cpus }) {
    const k = createState(variant.config, wl, cpus);
    const active: Record<string, string[]> = {};
    for (const r of ['region0', 'region1'] as const) if (k.regions[r].active) active[r] = [...k.regions[r].mappings];
    return {
      k,
      specInput: { active },
      tasks: [
        ...(bootProbes(variant.config, wl) ? [{ name: 'init', cpu: 0, run: (x: X) => boot(x, DEVS.filter((d) => k.hw.devices[d].locked)) }] : []),
        ...wl.tasks.map((t, i) => ({ name: taskName(i), cpu: t.cpu, run: (x: X) => program(x, t.ops) })),
      ],
      irqs: [],
      hooks: {},
    };
  },
  shrinkWorkload: shrinkMemregionWorkload,
  refusal: (e: MemregionEvent) => REFUSAL[e.type],
  environment: memregionEnvironment,
  observe,
  describe: (wl: MemregionWorkload) => [
    describeBoot(wl),
    ...wl.tasks.map((t, i) => `task ${taskName(i)} (cpu${t.cpu}): ${t.ops.map(describeOp).join('; ') || '(nothing)'}`),
  ],
});
