/**
 * An LDAP source connector described as plain data: which connector class, and the options it is built from.
 *
 * Why a description and not an instance: an import thread (import-thread.ts) builds its own connector, with its
 * own LDAP session, from the same options; a connector instance (sockets, ldapts client, private fields) cannot
 * cross a thread boundary, its options can (URLs, DNs, the bind password, a CA file name or PEM text: all strings,
 * numbers and arrays, which the structured clone algorithm copies unchanged).
 *
 * Invariant: the bind password travels inside the process only (worker data is memory shared by no one else);
 * nothing here logs or formats a spec.
 */
import { ActiveDirectoryConnector, type ActiveDirectoryConnectorOptions } from './active-directory-connector.ts';
import { GenericLdapConnector, type GenericLdapConnectorOptions } from './generic-ldap-connector.ts';

/** The LDAP connector classes: Active Directory (DirSync deltas) and generic LDAP (OpenLDAP, 389-DS…). */
export const LDAP_CONNECTOR_KINDS = ['activeDirectory', 'genericLdap'] as const;
export type LdapConnectorKind = (typeof LDAP_CONNECTOR_KINDS)[number];

export type LdapConnectorSpec =
  | { readonly kind: 'activeDirectory'; readonly options: ActiveDirectoryConnectorOptions }
  | { readonly kind: 'genericLdap'; readonly options: GenericLdapConnectorOptions };

type ConnectorOf<K extends LdapConnectorKind> = K extends 'activeDirectory' ? ActiveDirectoryConnector : GenericLdapConnector;

const FACTORIES: { readonly [K in LdapConnectorKind]: (options: Extract<LdapConnectorSpec, { kind: K }>['options']) => ConnectorOf<K> } = {
  activeDirectory: (options) => new ActiveDirectoryConnector(options),
  genericLdap: (options) => new GenericLdapConnector(options),
};

/** The connector a spec describes (the same constructor call on either thread). */
export function createLdapConnector(spec: LdapConnectorSpec): ActiveDirectoryConnector | GenericLdapConnector {
  if (!(LDAP_CONNECTOR_KINDS as readonly string[]).includes(spec.kind)) throw new TypeError(`unknown LDAP connector kind ${String(spec.kind)}`);
  return (FACTORIES[spec.kind] as (options: LdapConnectorSpec['options']) => ActiveDirectoryConnector | GenericLdapConnector)(spec.options);
}
