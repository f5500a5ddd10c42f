/**
 * Deferred attributes: multi-valued attributes too large to travel inside an import batch (a group with 100,000
 * members). They are listed in `SourceObject.deferredAttributes` and streamed with `readValues()`, so the memory
 * a batch takes is bounded by `batchSize × maxInlineValues` whatever the directory holds.
 */
import type { Value } from '../expressions/value.ts';
import type { SourceObject } from './source-connector.ts';

/** Moves attributes with more than `max` values out of `attributes` into `deferredAttributes`. */
export function deferLarge(object: SourceObject, max: number, alreadyDeferred: readonly string[]): SourceObject {
  let deferred = [...alreadyDeferred];
  let attributes = object.attributes;
  for (const [name, value] of Object.entries(object.attributes)) {
    // objectClass is never deferred: it is what the object's type was derived from.
    if (Array.isArray(value) && value.length > max && name.toLowerCase() !== 'objectclass') {
      if (attributes === object.attributes) attributes = { ...object.attributes };
      delete (attributes as Record<string, Value>)[name];
      deferred = [...deferred, name];
    }
  }
  if (deferred.length === 0) return object;
  return { ...object, attributes, deferredAttributes: deferred };
}

