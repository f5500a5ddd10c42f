/**
 * Deferred attributes: multi-valued attributes too large to travel inside an import batch (a group with 100,000
 * members). They are listed in `SourceObject.deferredAttributes` and streamed with `readValues()`, so the memory
 * a batch takes is bounded by `batchSize × maxInlineValues` whatever the directory holds.
 */
import type { Value } from '../expressions/value.ts';
import type { SourceObject } from './source-connector.ts';

/**
 * Moves attributes with more than `max` values out of `attributes` into `deferredAttributes`.
 * Runs for every imported object when the engine bounds batches, and almost never finds anything: that case returns
 * `object` itself and allocates nothing (no Object.entries pairs, no copies).
 */
export function deferLarge(object: SourceObject, max: number, alreadyDeferred: readonly string[]): SourceObject {
  let attributes: Record<string, Value> | undefined;
  let deferred: string[] | undefined;
  for (const name in object.attributes) {
    const value = object.attributes[name];
    // objectClass is never deferred: it is what the object's type was derived from.
    if (Array.isArray(value) && value.length > max && name.toLowerCase() !== 'objectclass') {
      attributes ??= { ...object.attributes };
      delete attributes[name];
      (deferred ??= [...alreadyDeferred]).push(name);
    }
  }
  if (deferred === undefined) return alreadyDeferred.length === 0 ? object : { ...object, deferredAttributes: [...alreadyDeferred] };
  return { ...object, attributes: attributes!, deferredAttributes: deferred };
}
