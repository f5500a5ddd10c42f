/**
 * attributeMapping.flowType: when a computed value may reach the target.
 *
 * Graph: "Always (default) · ObjectAddOnly - only when new object is created · MultiValueAddOnly - only when
 * the change is adding new values to a multi-valued attribute · ValueAddOnly - If there is a current value,
 * only flows "Add" operations; will not flow "Remove" operations · AttributeAddOnly - Only propagates changes
 * if no current value exists at all". (Graph adds "AD2AAD provisioning jobs don't respect the flowType
 * property value"; we do, for every job.)
 *
 * ObjectAddOnly needs only "is this a create?", so mapping evaluation applies it. The other three need the
 * target's current value, which only the engine's export planning has: it calls `applyFlowType` with it.
 * `undefined` means "do not write this attribute".
 */
import type { Scalar, Value } from '../expressions/value.ts';
import { scalarText } from './scoping-filter.ts';
import type { AttributeFlowType } from './synchronization-schema.ts';

function isEmpty(value: Value | undefined): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function valuesOf(value: Value | undefined): readonly Scalar[] {
  if (isEmpty(value)) return [];
  return Array.isArray(value) ? (value as readonly Scalar[]) : [value as Scalar];
}

/** Multi-valued union keeping the current values first; values compare by their text form. */
function union(current: readonly Scalar[], added: readonly Scalar[]): { readonly merged: readonly Scalar[]; readonly grew: boolean } {
  const seen = new Set(current.map(scalarText));
  const merged = [...current];
  for (const value of added) {
    const key = scalarText(value);
    if (!seen.has(key)) {
      seen.add(key);
      merged.push(value);
    }
  }
  return { merged, grew: merged.length > current.length };
}

export function applyFlowType(
  flowType: AttributeFlowType,
  computed: Value,
  current: Value | undefined,
  options: { readonly isCreate: boolean; readonly multivalued: boolean },
): Value | undefined {
  switch (flowType) {
    case 'Always':
      return computed;
    case 'ObjectAddOnly':
      return options.isCreate ? computed : undefined;
    case 'AttributeAddOnly':
      return isEmpty(current) ? computed : undefined;
    case 'ValueAddOnly': {
      if (isEmpty(current)) return computed;
      if (!options.multivalued) return undefined;
      const { merged, grew } = union(valuesOf(current), valuesOf(computed));
      return grew ? merged : undefined;
    }
    case 'MultiValueAddOnly': {
      if (!options.multivalued) return isEmpty(current) ? computed : undefined;
      const { merged, grew } = union(valuesOf(current), valuesOf(computed));
      return grew ? merged : undefined;
    }
  }
}
