/**
 * SingleAppRoleAssignment — "Returns a single appRoleAssignment from the list of all appRoleAssignments
 * assigned to a user for a given application. This function is required to convert the appRoleAssignments
 * object into a single role name string. The best practice is to ensure only one appRoleAssignment is
 * assigned to one user at a time. This function isn't supported in scenarios where users have multiple app
 * role assignments." (Cloud Sync's reference: "if multiple roles are assigned the role string returned may
 * not be predictable".) The input shape is documented in ../app-role-assignment.ts.
 */
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';
import { parseAppRoleAssignments } from '../app-role-assignment.ts';

const ADMIN = '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"Admin","displayName":"Admin"}';
const USER = '{"id":"06b07648-ecfe-599f-9d2f-6325724a46ee","value":"User","displayName":"User"}';

export const singleAppRoleAssignment: ExpressionFunction = {
  name: 'SingleAppRoleAssignment',
  summary: 'The name of the one app role assigned to the user for this application.',
  syntax: 'SingleAppRoleAssignment([appRoleAssignments])',
  semantics:
    '[appRoleAssignments] holds one JSON object per assignment, `{"id": "<app role id>", "displayName": ' +
    '"<role name>", "value": "<role value>"}` (the form Entra sends to SCIM apps). The result is the role\'s ' +
    'displayName (its name). The same role held twice (directly and through a group) counts once. No ' +
    'assignment gives a missing value. Any other input is ERR_EXPR_NOT_APPLICABLE.',
  deviation:
    'With more than one distinct role Entra returns one of them unpredictably; we fail with ' +
    'ERR_EXPR_EVALUATION naming the roles instead, so a target never receives an arbitrary role. Use ' +
    'AppRoleAssignmentsComplex for multiple roles.',
  parameters: [{ name: '[appRoleAssignments]', description: 'The [appRoleAssignments] object.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'SingleAppRoleAssignment([appRoleAssignments])', attributes: { appRoleAssignments: [ADMIN] }, result: 'Admin' },
    { expression: 'SingleAppRoleAssignment([appRoleAssignments])', attributes: { appRoleAssignments: [ADMIN, ADMIN] }, result: 'Admin', note: 'the same role through two paths' },
    { expression: 'SingleAppRoleAssignment([appRoleAssignments])', attributes: { appRoleAssignments: [ADMIN, USER] }, result: { error: 'ERR_EXPR_EVALUATION' } },
    { expression: 'SingleAppRoleAssignment([appRoleAssignments])', attributes: {}, result: null },
    { expression: 'SingleAppRoleAssignment([department])', attributes: { department: 'Sales' }, result: { error: 'ERR_EXPR_NOT_APPLICABLE' } },
  ],
  evaluate([source]) {
    const assignments = parseAppRoleAssignments('SingleAppRoleAssignment', source ?? null);
    if (assignments === null || assignments.length === 0) return null;
    if (assignments.length > 1) {
      throw evaluationError(
        'SingleAppRoleAssignment',
        `the user has ${assignments.length} app roles (${assignments.map((a) => a.displayName).join(', ')}); assign one role, or map roles with AppRoleAssignmentsComplex`,
        { roles: assignments.map((a) => a.displayName) },
      );
    }
    return assignments[0]!.displayName;
  },
};
