/**
 * What the tests of objects leaving and coming back into the scope share: a schema that takes every user out of it,
 * and provisioning-log entries made comparable between the tenant written run by run and the one written object
 * by object.
 */
import type { ProvisioningLogEntry } from '../../src/engine/index.ts';
import { compileSynchronizationSchema, getTemplate, type SynchronizationSchema } from '../../src/schema/index.ts';

/** AD2AADProvisioning with a user scoping filter no user passes (every user has a cn): every user leaves the scope. */
export function nobodyInScope() {
  const template = JSON.parse(JSON.stringify(getTemplate('AD2AADProvisioning'))) as SynchronizationSchema;
  const users = template.synchronizationRules![0]!.objectMappings!.find((m) => m.targetObjectName === 'User')!;
  (users as { scope: unknown }).scope = { ...users.scope, groups: [{ name: 'nobody', clauses: [{ sourceOperandName: 'cn', operatorName: 'IS NULL', targetOperand: { values: [] } }] }] };
  return compileSynchronizationSchema(template);
}

/** The log entries without what differs between two tenants of one store (ids, the tenant's domain). */
export function comparable(entries: readonly ProvisioningLogEntry[], domain: string): string {
  return JSON.stringify(entries.map(({ action, status, steps, modifiedProperties, sourceIdentity, errorCode, errorMessage }) => ({ action, status, steps, modifiedProperties, sourceIdentity, errorCode, errorMessage })))
    .replaceAll(domain, '<tenant domain>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
}
