/**
 * The SourceConnector contract against each implementation: the LDIF sample, OpenLDAP and Samba AD.
 */
import { fileURLToPath } from 'node:url';
import { LdifConnector } from '../../src/connectors/ldif/ldif-connector.ts';
import { GenericLdapConnector } from '../../src/connectors/ldap/generic-ldap-connector.ts';
import { ActiveDirectoryConnector } from '../../src/connectors/ldap/active-directory-connector.ts';
import { describeSourceConnector } from './source-connector.contract.ts';
import { addGroupOfNames, openLdapUnavailableReason, seedGenericUsers, startOpenLdap } from '../harness/openldap.ts';
import { addAdGroup, addOu, sambaUnavailableReason, seedAdContacts, seedAdUsers, startSamba } from '../harness/samba.ts';

describeSourceConnector('LDIF (the bundled sample AD export)', async () => ({
  connector: new LdifConnector({ file: fileURLToPath(new URL('../../src/demo/sample-ad.ldif', import.meta.url)) }),
  missingDn: 'CN=Nobody,OU=Corp,DC=corp,DC=example,DC=com',
  teardown: async () => {},
}));

describeSourceConnector('generic LDAP (OpenLDAP)', async () => {
  const server = await startOpenLdap();
  const users = await seedGenericUsers(server, 30);
  const admin = await server.admin();
  await addGroupOfNames(admin, `cn=team,ou=groups,${server.baseDn}`, users.slice(0, 10));
  return {
    connector: new GenericLdapConnector({ urls: [server.url], bindDn: server.adminDn, bindPassword: server.adminPassword, baseDn: server.baseDn }),
    missingDn: `uid=nobody,ou=people,${server.baseDn}`,
    teardown: () => server.stop(),
  };
}, { skip: openLdapUnavailableReason() });

describeSourceConnector('Active Directory (Samba AD DC)', async () => {
  const dc = await startSamba();
  const admin = await dc.admin();
  const corp = `OU=Corp,${dc.baseDn}`;
  await addOu(admin, corp);
  const users = await seedAdUsers(admin, corp, 20);
  const contacts = await seedAdContacts(admin, corp, 5);
  await addAdGroup(admin, `CN=Team,${corp}`, [...users.slice(0, 5), ...contacts.slice(0, 2)]);
  await addAdGroup(admin, `CN=Outer,${corp}`, [`CN=Team,${corp}`]);
  return {
    connector: new ActiveDirectoryConnector({ urls: [dc.url], bindDn: dc.adminDn, bindPassword: dc.adminPassword, containers: [corp] }),
    missingDn: `CN=Nobody,${corp}`,
    teardown: () => dc.stop(),
  };
}, { skip: sambaUnavailableReason() });
