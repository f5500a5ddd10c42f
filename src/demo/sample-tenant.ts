import type { CloudDirectory } from '../directory/index.ts';

/**
 * A small cloud-only tenant for the demo, so the API has something to show before any sync is configured:
 * users across departments, nested groups (All Staff ⊃ Sales, Engineering) and a contact.
 */
const PEOPLE = [
  ['Adele', 'Vance', 'Sales', 'Sales Manager'],
  ['Alex', 'Wilber', 'Sales', 'Account Executive'],
  ['Diego', 'Siciliani', 'Sales', 'Account Executive'],
  ['Grady', 'Archie', 'Engineering', 'Site Reliability Engineer'],
  ['Henrietta', 'Mueller', 'Engineering', 'Software Engineer'],
  ['Isaiah', 'Langer', 'Engineering', 'Engineering Manager'],
  ['Johanna', 'Lorenz', 'Engineering', 'Software Engineer'],
  ['Joni', 'Sherman', 'Legal', 'Counsel'],
  ['Lee', 'Gu', 'Finance', 'Controller'],
  ['Lidia', 'Holloway', 'Finance', 'Accountant'],
  ['Lynne', 'Robbins', 'Marketing', 'Marketing Lead'],
  ['Megan', 'Bowen', 'Marketing', 'Content Writer'],
  ['Miriam', 'Graham', 'Operations', 'Director'],
  ['Nestor', 'Wilke', 'Operations', 'Facilities'],
  ['Patti', 'Fernandez', 'Executive', 'President'],
  ['Pradeep', 'Gupta', 'Engineering', 'Data Engineer'],
] as const;

export const SAMPLE_TENANT_NAME = 'contoso';

export interface SampleTenantSummary {
  readonly users: number;
  readonly groups: number;
  readonly contacts: number;
}

export async function seedSampleTenant(directory: CloudDirectory, tenantId: string): Promise<SampleTenantSummary> {
  const domain = `${SAMPLE_TENANT_NAME}.onmicrosoft.example`;
  const users = await directory.createMany(
    tenantId,
    'user',
    PEOPLE.map(([givenName, surname, department, jobTitle]) => {
      const nickname = `${givenName}${surname[0]}`.toLowerCase();
      return {
        accountEnabled: true,
        displayName: `${givenName} ${surname}`,
        givenName,
        surname,
        department,
        jobTitle,
        mailNickname: nickname,
        userPrincipalName: `${nickname}@${domain}`,
        mail: `${nickname}@${domain}`,
      };
    }),
  );
  const group = (displayName: string, mailNickname: string) =>
    directory.create(tenantId, 'group', {
      displayName,
      mailNickname,
      securityEnabled: true,
      mailEnabled: false,
      groupTypes: [],
    });
  const sales = await group('Sales', 'sales');
  const engineering = await group('Engineering', 'engineering');
  const allStaff = await group('All Staff', 'allstaff');
  for (const user of users) {
    if (user.department === 'Sales') await directory.addMember(tenantId, sales.id, user.id);
    if (user.department === 'Engineering') await directory.addMember(tenantId, engineering.id, user.id);
  }
  await directory.addMember(tenantId, allStaff.id, sales.id);
  await directory.addMember(tenantId, allStaff.id, engineering.id);
  const contact = await directory.create(tenantId, 'orgContact', {
    displayName: 'Fabrikam Support',
    mail: 'support@fabrikam.example',
    mailNickname: 'fabrikamsupport',
  });
  await directory.addMember(tenantId, allStaff.id, contact.id);
  return { users: users.length, groups: 3, contacts: 1 };
}
