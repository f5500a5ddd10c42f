/**
 * An AD export of `users` users under one OU, written for a test: large enough that a full cycle takes seconds, so
 * a test can kill a process in the middle of one. Deterministic objectGUIDs (from the index), so two runs agree.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

function guid(seed: string): string {
  return createHash('sha256').update(seed).digest().subarray(0, 16).toString('base64');
}

export async function writeGeneratedLdif(file: string, users: number): Promise<void> {
  const lines: string[] = ['version: 1', '', 'dn: OU=Staff,DC=corp,DC=example,DC=com', 'changetype: add', 'objectClass: top', 'objectClass: organizationalUnit', 'ou: Staff', `objectGUID:: ${guid('ou')}`, ''];
  for (let i = 0; i < users; i++) {
    const name = `user${String(i).padStart(6, '0')}`;
    lines.push(
      `dn: CN=${name},OU=Staff,DC=corp,DC=example,DC=com`, 'changetype: add', 'objectClass: top', 'objectClass: person', 'objectClass: organizationalPerson', 'objectClass: user',
      `cn: ${name}`, `sn: ${name}`, 'givenName: Generated', `displayName: Generated ${name}`, `sAMAccountName: ${name}`, `userPrincipalName: ${name}@corp.example.com`,
      `mail: ${name}@corp.example.com`, 'department: Load', 'userAccountControl: 512', `objectGUID:: ${guid(name)}`, '',
    );
  }
  await writeFile(file, lines.join('\n'));
}
