/**
 * Reference counts and quiescence for the PASID protocol, from their meaning: no count goes
 * below zero and nothing freed is still referenced (f_count, files_struct users, mm_users,
 * mm_count, PASID references, binds), and once every task has exited everything is released:
 * every mm freed, every PASID freed, every file released, every device entry torn down.
 */
import { inv, type Inv, type W } from './pasid-world.js';

/** The first count below zero, or a freed object still referenced. */
function badCount(w: W): string | undefined {
  const k = w.k;
  for (const [i, f] of k.files.entries()) if (f.refs < 0) return `file${i}: f_count = ${f.refs}`;
  for (const [i, fs] of k.filesStructs.entries()) {
    if (fs.users < 0) return `files_struct ${i}: count = ${fs.users}`;
    for (const [fd, f] of fs.fdt.entries()) if (f !== null && k.files[f]!.refs <= 0) return `fd ${fd} of files_struct ${i} refers to file${f}, whose f_count is ${k.files[f]!.refs}`;
  }
  for (const [i, m] of k.mms.entries()) {
    for (const c of ['mm_users', 'mm_count', 'binds'] as const) if (m[c] < 0) return `mm${i}: ${c} = ${m[c]}`;
    if (m.freed && (m.mm_users > 0 || m.mm_count > 0)) return `mm${i} was freed with mm_users ${m.mm_users}, mm_count ${m.mm_count}`;
    for (const f of m.portals) if (k.files[f]!.refs <= 0) return `mm${i} maps the portal of file${f}, whose f_count is ${k.files[f]!.refs}`;
  }
  for (const [p, o] of Object.entries(k.ioasid.owner)) if (o.refs <= 0) return `PASID ${p} is allocated with ${o.refs} references`;
  for (const [dev, t] of k.pasidTable.entries()) {
    for (const [p, e] of Object.entries(t)) if (e.binds <= 0) return `dev${dev}: PASID ${p} programmed with ${e.binds} binds`;
  }
}

/** What is still held after every task has exited. */
function unreleased(w: W): string | undefined {
  const k = w.k;
  for (const [i, m] of k.mms.entries()) if (!m.freed) return `mm${i} was never freed (mm_users ${m.mm_users}, mm_count ${m.mm_count})`;
  for (const [p, o] of Object.entries(k.ioasid.owner)) return `PASID ${p} of mm${o.mm} was never freed`;
  for (const [i, f] of k.files.entries()) if (f.refs !== 0) return `file${i} was never released (f_count ${f.refs})`;
  for (const [i, fs] of k.filesStructs.entries()) if (fs.users !== 0) return `files_struct ${i} still has ${fs.users} users`;
  for (const [dev, t] of k.pasidTable.entries()) for (const [p, e] of Object.entries(t)) return `dev${dev} still has PASID ${p} programmed for mm${e.mm}`;
}

export const lifetimeInvariants: Inv[] = [
  inv({
    name: 'pasid/refcounts',
    description: 'no reference count goes below zero and nothing freed is still referenced: f_count, files_struct users, mm_users, mm_count, binds, PASID references; no fd, portal or PASID entry refers to a released object',
    check: badCount,
  }),
  inv({
    name: 'pasid/quiescence',
    description: 'when every task has exited, everything is released: every mm freed, every PASID freed, every file released, every files_struct and device PASID entry gone',
    final: true,
    check: unreleased,
  }),
];
