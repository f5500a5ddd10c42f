/**
 * Turns a POST/PATCH body into the directory's ObjectProperties. The directory validates every property
 * (unknown, read-only, wrong type); what is checked here is only what belongs to the HTTP/OData layer:
 * the body is an object, an `@odata.type` matches the resource, and no other OData annotation
 * (`members@odata.bind`, …) is silently dropped.
 */
import { CloudsyncError } from '../../errors/index.ts';
import type { ObjectProperties } from '../../directory/cloud-directory.ts';
import { requireObjectBody } from '../json-body.ts';

export function objectPropertiesOf(body: unknown, typeName: string): ObjectProperties {
  const object = requireObjectBody(body);
  const properties: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(object)) {
    if (name === '@odata.type') {
      if (typeof value !== 'string' || value.replace(/^#/, '').toLowerCase() !== typeName.toLowerCase()) {
        throw new CloudsyncError('ERR_DIR_INVALID_VALUE', `'@odata.type' must be '#${typeName}' on this resource.`, { path: '@odata.type' });
      }
      continue;
    }
    if (name.includes('@')) {
      throw new CloudsyncError('ERR_DIR_INVALID_PROPERTY', `The annotation '${name}' is not supported here; set references with the $ref endpoints (for members: POST /groups/{id}/members/$ref).`, {
        path: name,
      });
    }
    properties[name] = value;
  }
  return properties;
}
