/**
 * The [appRoleAssignments] attribute that AppRoleAssignmentsComplex and SingleAppRoleAssignment read.
 *
 * Entra's provisioning service exposes a user's assignments to the application being provisioned as an
 * object-valued attribute. Our Value model has no objects, so the attribute is multi-valued text, one JSON
 * object per assignment, in the form Entra itself sends an assignment to a SCIM app
 * (customize-application-attributes.md, "Provisioning a role to a SCIM app"):
 *
 *   {"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}
 *
 *   id           the app role's id (a GUID), required
 *   displayName  the app role's display name, required
 *   value        the app role's value (the `roles` claim), a string or null; optional
 * Other members (principalId, resourceId, …) are allowed and ignored. Anything else — plain text, a JSON
 * object without these members, binary — is not an app role assignment, and the functions are not
 * applicable to it (ERR_EXPR_NOT_APPLICABLE), rather than guessing.
 */
import { CloudsyncError } from '../errors/index.ts';
import type { Scalar, Value } from './value.ts';

export interface AppRoleAssignment {
  readonly id: string;
  readonly displayName: string;
  readonly value: string | null;
}

export const APP_ROLE_ASSIGNMENT_SHAPE = '{"id":"<app role id>","displayName":"<role name>","value":"<role value>"|null}';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notApplicable(functionName: string, reason: string): CloudsyncError {
  return new CloudsyncError(
    'ERR_EXPR_NOT_APPLICABLE',
    `${functionName} only applies to [appRoleAssignments], whose values are JSON objects ${APP_ROLE_ASSIGNMENT_SHAPE}; ${reason}`,
    { details: { expectedShape: APP_ROLE_ASSIGNMENT_SHAPE } },
  );
}

function parseOne(functionName: string, item: Scalar, index: number): AppRoleAssignment {
  if (typeof item !== 'string') return fail(`value ${index + 1} is not text`);
  let json: unknown;
  try {
    json = JSON.parse(item);
  } catch {
    return fail(`value ${index + 1} is not JSON: ${JSON.stringify(item.length > 60 ? `${item.slice(0, 57)}…` : item)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail(`value ${index + 1} is not a JSON object`);
  const { id, displayName, value } = json as Record<string, unknown>;
  if (typeof id !== 'string' || !GUID.test(id)) return fail(`value ${index + 1} has no "id" GUID`);
  if (typeof displayName !== 'string') return fail(`value ${index + 1} has no "displayName" string`);
  if (value !== undefined && value !== null && typeof value !== 'string') return fail(`value ${index + 1} has a "value" that is not a string`);
  return Object.freeze({ id: id.toLowerCase(), displayName, value: value ?? null });

  function fail(reason: string): never {
    throw notApplicable(functionName, reason);
  }
}

/**
 * The assignments, de-duplicated by app role id (a user assigned one role directly and through a group holds
 * it once), in their original order; null when the attribute is missing.
 */
export function parseAppRoleAssignments(functionName: string, value: Value): AppRoleAssignment[] | null {
  if (value === null) return null;
  const items = Array.isArray(value) ? (value as readonly Scalar[]) : [value as Scalar];
  const byId = new Map<string, AppRoleAssignment>();
  items.forEach((item, index) => {
    const assignment = parseOne(functionName, item, index);
    if (!byId.has(assignment.id)) byId.set(assignment.id, assignment);
  });
  return [...byId.values()];
}
