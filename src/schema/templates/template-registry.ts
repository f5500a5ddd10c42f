/**
 * The synchronization templates by id, as Graph's `…/synchronization/templates/{id}/schema` serves them and
 * `POST …/jobs {"templateId": …}` instantiates them.
 *
 * Templates are data: each builder returns plain Graph JSON, validated by the same model an imported schema
 * goes through (test/schema/templates.test.ts), so a template can never be something a PUT would refuse.
 */
import { CloudsyncError } from '../../errors/index.ts';
import { parseSynchronizationSchema } from '../parse-synchronization-schema.ts';
import type { SynchronizationSchema } from '../synchronization-schema.ts';
import { aad2adGroupProvisioningTemplate } from './aad2ad-group-provisioning.ts';
import { ad2aadProvisioningTemplate } from './ad2aad-provisioning.ts';
import { ldap2aadProvisioningTemplate } from './ldap2aad-provisioning.ts';

export const TEMPLATE_IDS = ['AD2AADProvisioning', 'AAD2ADGroupProvisioning', 'LDAP2AADProvisioning'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

const BUILDERS: Readonly<Record<TemplateId, () => Record<string, unknown>>> = {
  AD2AADProvisioning: ad2aadProvisioningTemplate,
  AAD2ADGroupProvisioning: aad2adGroupProvisioningTemplate,
  LDAP2AADProvisioning: ldap2aadProvisioningTemplate,
};

const cache = new Map<TemplateId, SynchronizationSchema>();

export function isTemplateId(id: string): id is TemplateId {
  return (TEMPLATE_IDS as readonly string[]).includes(id);
}

/** The validated, frozen template schema. Template ids are case-sensitive, as Graph's are. */
export function getTemplate(id: string): SynchronizationSchema {
  if (!isTemplateId(id)) {
    throw new CloudsyncError('ERR_SCHEMA_UNKNOWN_TEMPLATE',
      `unknown synchronization template ${JSON.stringify(id)}; known templates: ${TEMPLATE_IDS.join(', ')}`,
      { path: 'templateId', details: { known: [...TEMPLATE_IDS] } });
  }
  let schema = cache.get(id);
  if (schema === undefined) {
    schema = parseSynchronizationSchema(BUILDERS[id](), { path: `templates.${id}` });
    cache.set(id, schema);
  }
  return schema;
}
