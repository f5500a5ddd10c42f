/**
 * The objects Entra Cloud Sync never synchronizes, whatever the scope: its agent-side input filter.
 *
 * Research §1.4 (support wiki, `defaultSourceObjectMappings` metadata; how-to-troubleshoot.md
 * "IsCriticalSystemObject … replication victim objects"):
 *   isCriticalSystemObject IS FALSE · mailNickname NOT REGEX MATCH ^CAS_([^{]*){ ·
 *   distinguishedName NOT REGEX MATCH ^CN\s*=\s*([^\,]*)\0ACNF · plus a proxyAddresses clause cut off in the source.
 *
 * Kept here as data in the positive form ("excluded when this matches"), because that is what an admin reads
 * and because the negative clauses are all false on a null value: `isCriticalSystemObject IS FALSE` alone
 * would exclude every ordinary user, who has no isCriticalSystemObject at all. The Graph form
 * (inputFilterGroups, an OR of ANDs) is derived: NOT(a OR b OR c) where each NOT x is (attr IS NULL OR x̄),
 * expanded into groups.
 *
 * isCriticalSystemObject is only testable if the source reads it: the AD connector asks for it
 * (DEFAULT_AD_ATTRIBUTES), so a fresh DC's built-in accounts (Administrator, Guest, krbtgt, dns-<host>, which have
 * no userPrincipalName) are out of scope instead of failing every cycle.
 *
 * The CNF pattern is ours, not Entra's text: a conflict object's RDN carries LF + "CNF:" + GUID, which LDAP
 * renders escaped as `\0A` (RFC 4514) and some tools unescaped as a raw LF; any RDN type (CN, OU) can carry it.
 * The proxyAddresses clause is left out: its text is not known.
 */
import type { FilterClause, FilterGroup } from './scoping-filter.ts';
import type { ScopingOperator } from './scoping-operator.ts';

export interface DefaultExclusion {
  readonly id: string;
  readonly sourceOperandName: string;
  /** the clause that, when true, excludes the object */
  readonly operatorName: ScopingOperator;
  readonly values: readonly string[];
  /** its complement for a present value, used to build inputFilterGroups */
  readonly negatedOperatorName: ScopingOperator;
  readonly reason: string;
}

export const AD_DEFAULT_EXCLUSIONS: readonly DefaultExclusion[] = Object.freeze([
  Object.freeze({
    id: 'criticalSystemObject',
    sourceOperandName: 'isCriticalSystemObject',
    operatorName: 'IS TRUE',
    values: [],
    negatedOperatorName: 'IS FALSE',
    reason: 'built-in system objects (krbtgt, Administrator, Domain Controllers…) are never synchronized',
  }),
  Object.freeze({
    id: 'exchangeSystemMailbox',
    sourceOperandName: 'mailNickname',
    operatorName: 'REGEX MATCH',
    values: ['^CAS_([^{]*){'],
    negatedOperatorName: 'NOT REGEX MATCH',
    reason: 'Exchange CAS_{…} system mailboxes',
  }),
  Object.freeze({
    id: 'replicationConflict',
    sourceOperandName: 'distinguishedName',
    operatorName: 'REGEX MATCH',
    values: ['^(?:[^,\\\\]|\\\\.)*?(?:\\\\0A|\\n)CNF:'],
    negatedOperatorName: 'NOT REGEX MATCH',
    reason: 'replication-conflict ("CNF") objects, whose RDN contains \\0ACNF:<GUID>',
  }),
] as const satisfies readonly DefaultExclusion[]);

/** The exclusions as Graph inputFilterGroups: in scope iff no exclusion matches (nulls never match). */
export function exclusionsToInputFilterGroups(exclusions: readonly DefaultExclusion[]): FilterGroup[] {
  let groups: FilterClause[][] = [[]];
  for (const exclusion of exclusions) {
    const whenNull: FilterClause = { operatorName: 'IS NULL', sourceOperandName: exclusion.sourceOperandName, targetOperand: { values: [] } };
    const whenPresent: FilterClause = {
      operatorName: exclusion.negatedOperatorName,
      sourceOperandName: exclusion.sourceOperandName,
      targetOperand: { values: [...exclusion.values] },
    };
    groups = groups.flatMap((clauses) => [[...clauses, whenNull], [...clauses, whenPresent]]);
  }
  return groups.map((clauses, index) => ({ name: `Default exclusions ${index + 1}`, clauses }));
}
