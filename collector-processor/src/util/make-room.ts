/** Bounded memory for insertion-ordered maps and sets: drops the oldest entry once `max` are held. */
export function makeRoom<K>(collection: Map<K, unknown> | Set<K>, max: number): void {
  if (collection.size < max) return;
  const oldest = collection.keys().next();
  if (!oldest.done) collection.delete(oldest.value);
}
