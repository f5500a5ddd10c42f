/**
 * Error code → what the admin should do: Graph's provisioningErrorInfo (`errorCategory`, `recommendedAction`)
 * for every code the engine can record against one object. Entra's provisioning log shows the same under
 * "Troubleshooting & Recommendations"; its hints are often generic, so these name the attribute, the mapping or
 * the command that fixes the cause.
 *
 * Graph's provisioningStatusErrorCategory: `failure` (the service or a peer failed; retried on its own) and
 * `nonServiceFailure` (the data or the configuration is wrong; retries fail until an admin changes it).
 *
 * PER_OBJECT_ERROR_CODES are the codes an entry can carry: per-object failures are the CloudsyncErrors the engine
 * catches (mapping evaluation, the cloud directory's constraints, reading one object or a reference from the
 * source) plus the engine's own. It is derived from src/errors/codes.ts, so a code added there later is in it at
 * once, and a test fails until it has its hint.
 */
import { ERROR_CODES, type ErrorCode } from '../errors/index.ts';

export const ERROR_CATEGORIES = ['failure', 'nonServiceFailure'] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

export interface Remediation {
  readonly errorCategory: ErrorCategory;
  readonly recommendedAction: string;
}

/**
 * The areas whose errors the engine records against one object: mapping expressions, the schema's value types,
 * the cloud directory's constraints, reading from LDAP or LDIF, and the engine's own per-object codes.
 */
const PER_OBJECT = /^ERR_(EXPR|DIR|LDAP|LDIF)_|^ERR_SCHEMA_VALUE_TYPE$|^ERR_SYNC_(REFERENCE_UNRESOLVED|MATCH_CONFLICT|DELETE_THRESHOLD)$/;

export const PER_OBJECT_ERROR_CODES: readonly ErrorCode[] = Object.freeze(ERROR_CODES.filter((code) => PER_OBJECT.test(code)));


const MAPPING = 'Fix the attribute mapping named in the reason (GET/PUT …/jobs/{jobId}/schema, or `cloudsync config schema export` / `import`); test the expression with `cloudsync expression eval`.';

function data(recommendedAction: string): Remediation {
  return { errorCategory: 'nonServiceFailure', recommendedAction };
}

function transient(recommendedAction: string): Remediation {
  return { errorCategory: 'failure', recommendedAction };
}

/** A code of PER_OBJECT_ERROR_CODES without a row here is a defect (test/provisioning-logs/error-remediation.test.ts). */
export const REMEDIATIONS: Readonly<Partial<Record<ErrorCode, Remediation>>> = Object.freeze({
  ERR_EXPR_SYNTAX: data(MAPPING),
  ERR_EXPR_UNKNOWN_FUNCTION: data(MAPPING),
  ERR_EXPR_ARITY: data(MAPPING),
  ERR_EXPR_ARGUMENT_TYPE: data(`The mapping received a value of an unexpected type from this object. ${MAPPING}`),
  ERR_EXPR_UNKNOWN_ATTRIBUTE: data(`The mapping reads an attribute the source does not have. ${MAPPING}`),
  ERR_EXPR_EVALUATION: data(`Check the source object's attribute values used by the mapping, or make the mapping handle them (IIF, IsPresent, Coalesce). ${MAPPING}`),
  ERR_EXPR_NOT_APPLICABLE: data(MAPPING),
  ERR_EXPR_USER_ERROR: data('The mapping raised Error() on purpose for this object: correct the source values it checks, or change the mapping.'),
  ERR_EXPR_NOT_UNIQUE: data('SelectUniqueValue found every candidate taken: add a candidate to the expression or free one of the values in the cloud directory.'),
  ERR_EXPR_TOO_LARGE: data('The mapped value exceeds the size limit: shorten the source value or truncate it in the mapping (Left, Mid).'),
  ERR_EXPR_REGEX: data(MAPPING),
  ERR_SCHEMA_VALUE_TYPE: data('The mapped value does not fit the target attribute\'s type: convert it in the mapping (CStr, CBool, NumFromDate) or fix the source value.'),
  ERR_DIR_NOT_FOUND: transient('The cloud object changed while it was exported; it is retried in the next cycle. If it persists, restart the job with resetScope Escrows.'),
  ERR_DIR_UPN_CONFLICT: data('Another cloud object already has this userPrincipalName: rename one of them in Active Directory, or remove the cloud-only duplicate.'),
  ERR_DIR_PROXY_ADDRESS_CONFLICT: data('Another cloud object already has one of these proxyAddresses or this mail address: remove the duplicate address in Active Directory or in the cloud directory.'),
  ERR_DIR_IMMUTABLE_ID_CONFLICT: data('Another cloud object already carries this onPremisesImmutableId (sourceAnchor): it is synchronized from another configuration or forest; remove the duplicate or exclude one of them from scope.'),
  ERR_DIR_UNVERIFIED_DOMAIN: data('The userPrincipalName suffix is not a verified domain of the tenant: verify the domain (GET /v1.0/domains/{id}/verificationDnsRecords, POST …/verify) or change the user\'s UPN suffix in Active Directory.'),
  ERR_DIR_MEMBERSHIP_CYCLE: data('The group membership would create a nesting cycle: remove the circular nesting in Active Directory.'),
  ERR_DIR_MANAGER_CYCLE: data('The manager chain would loop back to this user: correct the manager attribute in Active Directory so no one manages themselves through others.'),
  ERR_DIR_MEMBER_EXISTS: transient('The member was already present; nothing to do. The next cycle confirms the membership.'),
  ERR_DIR_INVALID_PROPERTY: data(`The mapping targets a property the cloud object type does not have. ${MAPPING}`),
  ERR_DIR_READ_ONLY_PROPERTY: data(`The mapping writes a read-only cloud property: remove that attribute mapping. ${MAPPING}`),
  ERR_DIR_ON_PREMISES_MASTERED: data('The cloud object is mastered on-premises by another source; change it there, or remove it from the other configuration\'s scope.'),
  ERR_DIR_INVALID_VALUE: data('The value is not valid for the cloud property named in the reason (length, characters, format): correct it in Active Directory or transform it in the mapping.'),
  ERR_DIR_DOMAIN_CONFLICT: data('The domain is already claimed by another tenant; use a domain this tenant owns.'),
  ERR_DIR_EXTENSION_INVALID: data('The directory extension the mapping writes is missing or of another type: register it (POST /v1.0/applications/{id}/extensionProperties) or fix the mapping.'),
  ERR_DIR_DOMAIN_UNPROVEN: data('The domain has not been proven through its DNS TXT record: publish the record and verify the domain.'),
  ERR_LDAP_UNREACHABLE: transient('The domain controller could not be reached while reading this object; it is retried. Check the agent\'s network path to the DCs if it persists.'),
  ERR_LDAP_INVALID_CREDENTIALS: data('The agent\'s bind account was refused: update its password (the bind password file) and restart the agent.'),
  ERR_LDAP_TLS: data('The TLS handshake with the domain controller failed: check the DC certificate and the agent\'s --ca-file.'),
  ERR_LDAP_NO_SUCH_OBJECT: transient('The object is no longer in Active Directory (deleted or moved out of scope); the next full cycle settles it.'),
  ERR_LDAP_INSUFFICIENT_ACCESS: data('The bind account may not read this object or attribute: grant it read access (and Replicating Directory Changes for DirSync) on the OU.'),
  ERR_LDAP_BUSY: transient('The domain controller was busy; the object is retried with backoff.'),
  ERR_LDAP_PROTOCOL: transient('The domain controller answered with an unexpected LDAP result; the object is retried. Check the DC\'s event log if it persists.'),
  ERR_LDAP_INVALID_DN: data('A distinguished name in this object (e.g. a member or manager value) is malformed: correct it in the directory.'),
  ERR_LDIF_SYNTAX: data('The LDIF export has a syntax error at the line named in the reason: regenerate or correct the export.'),
  ERR_SYNC_REFERENCE_UNRESOLVED: data('A referenced object (member, manager) is not synchronized: bring it into scope, or ignore this warning if it is meant to stay out.'),
  ERR_SYNC_MATCH_CONFLICT: data('Several cloud objects match this source object: remove or change the duplicates so the matching attribute is unique.'),
  ERR_SYNC_DELETE_THRESHOLD: data('The deletion is held back by the accidental-delete threshold: review the pending deletions, then restart the job with resetScope ForceDeletes (`cloudsync config allow-deletes`), or fix the cause (e.g. an OU removed from scope) and restart.'),
});

const UNKNOWN: Remediation = transient('The object is retried in the next cycles (escrow). If the error persists, check the service log for this cycle id and report it.');

/** The hint for an entry's code; codes outside PER_OBJECT_ERROR_CODES get a generic, honest one. */
export function remediationOf(code: string): Remediation {
  return (Object.hasOwn(REMEDIATIONS, code) ? REMEDIATIONS[code as ErrorCode] : undefined) ?? UNKNOWN;
}
