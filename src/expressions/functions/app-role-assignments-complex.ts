/**
 * AppRoleAssignmentsComplex — "Used to configure multiple roles for a user." (customize-application-
 * attributes.md: "Use the AppRoleAssignmentsComplex expression to provision multiple roles for a user."
 * "All roles are provisioned as primary = false." "The id attribute isn't required in SCIM roles. Use the
 * value attribute instead.") The input shape is documented in ../app-role-assignment.ts.
 *
 * Output: one SCIM `roles` value per role, as RFC 7643 §4.1.2 defines the multi-valued attribute's
 * sub-attributes ("value", "display", "type", "primary"), serialized as JSON text.
 */
import type { ExpressionFunction } from '../function-definition.ts';
import { parseAppRoleAssignments } from '../app-role-assignment.ts';

const ADMIN = '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"Admin","displayName":"Admin"}';
const USER = '{"id":"06b07648-ecfe-599f-9d2f-6325724a46ee","value":"User","displayName":"User"}';
const ROLE_TYPE = 'WindowsAzureActiveDirectoryRole';

export const appRoleAssignmentsComplex: ExpressionFunction = {
  name: 'AppRoleAssignmentsComplex',
  summary: 'All of the user\'s app roles for this application, as SCIM roles values.',
  syntax: 'AppRoleAssignmentsComplex([appRoleAssignments])',
  semantics:
    '[appRoleAssignments] holds one JSON object per assignment, `{"id": "<app role id>", "displayName": ' +
    '"<role name>", "value": "<role value>"}` (the form Entra sends to SCIM apps). The result is multi-valued: ' +
    'for each distinct role, in assignment order, the JSON text `{"primary":false,"type":"' + ROLE_TYPE + '",' +
    '"display":"<displayName>","value":"<value, or displayName when the role has none>"}`. No assignment gives ' +
    'a missing value. Any other input is ERR_EXPR_NOT_APPLICABLE.',
  deviation:
    'Entra sends roles in two different shapes, documented as a known inconsistency ("The request formats in ' +
    'the PATCH and POST differ"): a `displayName` member on create and a JSON string with the role id on ' +
    'update. We produce one shape for both, RFC 7643\'s `display`/`value`/`type`/`primary`.',
  parameters: [{ name: '[appRoleAssignments]', description: 'The [appRoleAssignments] object.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    {
      expression: 'AppRoleAssignmentsComplex([appRoleAssignments])',
      attributes: { appRoleAssignments: [ADMIN, USER] },
      result: [
        `{"primary":false,"type":"${ROLE_TYPE}","display":"Admin","value":"Admin"}`,
        `{"primary":false,"type":"${ROLE_TYPE}","display":"User","value":"User"}`,
      ],
    },
    { expression: 'AppRoleAssignmentsComplex([appRoleAssignments])', attributes: {}, result: null },
    { expression: 'AppRoleAssignmentsComplex([memberOf])', attributes: { memberOf: ['CN=Sales,DC=contoso,DC=com'] }, result: { error: 'ERR_EXPR_NOT_APPLICABLE' } },
  ],
  evaluate([source]) {
    const assignments = parseAppRoleAssignments('AppRoleAssignmentsComplex', source ?? null);
    if (assignments === null || assignments.length === 0) return null;
    return assignments.map((a) => JSON.stringify({ primary: false, type: ROLE_TYPE, display: a.displayName, value: a.value ?? a.displayName }));
  },
};
