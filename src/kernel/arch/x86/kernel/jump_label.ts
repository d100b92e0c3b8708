/**
 * A text_poke() caller (arch/x86/kernel/jump_label.c arch_jump_label_transform(), 5.10):
 * mutex_lock(&text_mutex), the poke, mutex_unlock(). text_poke() itself only asserts that the
 * mutex is held (lockdep); text_poke_kgdb() pokes without it while kgdb has stopped every other CPU.
 * Abstracted: __jump_label_transform() goes through text_poke_bp() (INT3, sync, tail, sync, first
 * byte), whose text_poke()s are one text_poke() here: cross-modifying code is out of scope
 * (text-poke.md D-INV7). M-D6 is a caller without text_mutex.
 */
import type { Gen } from '../../../../sim/thread.js';
import { mutex_lock, mutex_unlock } from '../../../kernel/locking/mutex.js';
import type { X } from '../../../mm/text-poke-types.js';
import { __text_poke } from './alternative.js';

export function* arch_jump_label_transform(x: X, pages: number[], value: number): Gen {
  const locked = x.w.k.cfg.textMutex;
  if (locked) yield* mutex_lock(x, 'text_mutex', 'arch_jump_label_transform');
  yield* __text_poke(x, pages, value);
  if (locked) mutex_unlock(x, 'text_mutex');
}
