/**
 * `cloudsync provision --config C --dn DN [--type user|group|contact] [--member DN]… [--dry-run] [--json]`:
 * on-demand provisioning of one object over the service's Graph action
 * `POST …/jobs/{jobId}/provisionOnDemand[?dryRun=true]`, printed as the four steps the portal shows (Import,
 * Determine if in scope, Match between source and target, Perform action) with their details.
 *
 * The exit code is 0 when the object was provisioned, found unchanged or skipped (out of scope is an answer, not a
 * failure), 1 when the action failed (the step says why) or the request was refused.
 */
import { Command, Option } from 'commander';
import { CloudsyncError } from '../../errors/index.ts';
import type { ServiceFlags } from '../service-connection.ts';
import { connect, resolveConfiguration, withServiceOptions } from './config.ts';

interface Step {
  readonly name: string;
  readonly type: string;
  readonly status: string;
  readonly description: string;
  readonly details: Readonly<Record<string, string>>;
}

interface Result {
  readonly dryRun: boolean;
  readonly action: string;
  readonly outcome: string;
  readonly statusInfo: { readonly status: string; readonly errorCode: string | null; readonly reason: string | null };
  readonly sourceIdentity: { readonly dn: string; readonly type: string };
  readonly targetIdentity: { readonly id: string | null; readonly type: string | null };
  readonly provisioningSteps: readonly Step[];
  readonly modifiedProperties: readonly { readonly displayName: string; readonly oldValue: string | null; readonly newValue: string | null }[];
  readonly scope: { readonly clauses: readonly { readonly filter: string; readonly sourceOperandName: string; readonly operatorName: string; readonly targetValues: readonly string[]; readonly value: string | null; readonly result: boolean }[] };
  readonly memberReferences?: readonly { readonly dn: string; readonly linked: boolean; readonly description: string }[];
  readonly members?: readonly Result[];
  readonly plannedWrites?: readonly { readonly operation: string; readonly type: string | null; readonly properties?: readonly string[] }[];
}

const STEP_TITLES: Readonly<Record<string, string>> = Object.freeze({
  Import: 'Import',
  Scoping: 'Determine if in scope',
  Matching: 'Match between source and target',
  Export: 'Perform action',
});

/** Details that the step's own lines already show are not repeated. */
const SHOWN_ELSEWHERE = new Set(['Scheduled run', 'Included in the scheduled run', 'Action']);

function mark(status: string): string {
  return status === 'Success' ? '✔' : status === 'Skipped' ? '–' : status === 'Warning' ? '!' : '✘';
}

function describeResult(result: Result, indent = ''): string {
  const lines: string[] = [];
  lines.push(`${indent}${result.sourceIdentity.type} ${result.sourceIdentity.dn}${result.dryRun ? '  (dry run: nothing was written)' : ''}`);
  result.provisioningSteps.forEach((step, index) => {
    lines.push(`${indent}${index + 1}. ${mark(step.status)} ${STEP_TITLES[step.type] ?? step.type} — ${step.status}: ${step.description}`);
    if (step.type === 'Scoping') {
      const scheduled = step.details['Scheduled run'];
      if (scheduled !== undefined) lines.push(`${indent}     ${scheduled}`);
      for (const clause of result.scope.clauses) {
        lines.push(`${indent}     ${clause.result ? '✔' : '✘'} ${clause.filter === 'groups' ? 'scoping filter' : 'default exclusion'}: ${clause.sourceOperandName} ${clause.operatorName}` +
          `${clause.targetValues.length === 0 ? '' : ` ${clause.targetValues.join(' | ')}`} (value: ${clause.value ?? 'none'})`);
      }
      for (const [name, value] of Object.entries(step.details)) {
        if (name.startsWith('Container scope') || name.startsWith('Group scope') || name === 'Object mapping') lines.push(`${indent}     ${name}: ${value}`);
      }
      return;
    }
    if (step.type === 'Export') {
      for (const property of result.modifiedProperties) lines.push(`${indent}     ${property.displayName}: ${property.oldValue ?? '(none)'} → ${property.newValue ?? '(none)'}`);
      for (const write of result.plannedWrites ?? []) lines.push(`${indent}     would ${write.operation} ${write.type ?? ''}${write.properties === undefined ? '' : ` (${write.properties.length} properties)`}`);
    }
    for (const [name, value] of Object.entries(step.details)) {
      if (SHOWN_ELSEWHERE.has(name) || name.startsWith('Member ')) continue;
      lines.push(`${indent}     ${name}: ${value === '' ? '(empty)' : value}`);
    }
  });
  for (const link of result.memberReferences ?? []) lines.push(`${indent}   member ${link.dn}: ${link.description}`);
  for (const member of result.members ?? []) lines.push('', describeResult(member, `${indent}  `));
  return lines.join('\n');
}

function failed(result: Result): boolean {
  return result.statusInfo.status === 'Failure' || (result.members ?? []).some(failed);
}

interface ProvisionFlags extends ServiceFlags {
  readonly config: string;
  readonly dn: string;
  readonly type: string;
  readonly member: string[];
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

export function provisionCommand(): Command {
  return withServiceOptions(
    new Command('provision')
      .description('provision one object now (on-demand provisioning): the four steps with their details; --dry-run writes nothing')
      .requiredOption('--config <configuration>', 'the configuration: its service principal id or display name (the AD domain)')
      .requiredOption('--dn <distinguishedName>', 'the object in the on-premises directory, e.g. "CN=Ann,OU=Sales,DC=corp,DC=example,DC=com"')
      .addOption(new Option('--type <objectType>', 'the object type').choices(['user', 'group', 'contact']).default('user'))
      .option('--member <distinguishedName>', 'with --type group: a member to provision with the group (repeat, at most 5)', (value: string, previous: string[]) => [...previous, value], [] as string[])
      .option('--dry-run', 'compute every step without writing anything')
      .option('--json', 'print the result as JSON (the value of Graph\'s response)'),
  ).action(async (flags: ProvisionFlags) => {
    if (flags.member.length > 0 && flags.type !== 'group') {
      throw new CloudsyncError('ERR_CLI_USAGE', `--member names members of a group; add --type group (got --type ${flags.type})`, { path: '--member' });
    }
    const connection = await connect(flags);
    const configuration = await resolveConfiguration(connection, flags.config);
    const job = configuration.jobs[0];
    if (job === undefined) {
      throw new CloudsyncError('ERR_SYNC_CONFIG_NOT_READY', `the configuration '${configuration.servicePrincipal.displayName}' has no job to provision with`, { path: '--config' });
    }
    const path = `/v1.0/servicePrincipals/${encodeURIComponent(configuration.servicePrincipal.id)}/synchronization/jobs/${encodeURIComponent(job.id)}/provisionOnDemand${flags.dryRun === true ? '?dryRun=true' : ''}`;
    const response = await connection.request<{ key: string; value: string }>('POST', path, {
      parameters: [{
        subjects: [{
          objectId: flags.dn,
          objectTypeName: flags.type,
          ...(flags.member.length === 0 ? {} : { links: { members: flags.member.map((dn) => ({ objectId: dn, objectTypeName: 'user' })) } }),
        }],
      }],
    });
    const result = JSON.parse(response.value) as Result;
    process.stdout.write(flags.json === true ? `${JSON.stringify(result)}\n` : `${describeResult(result)}\n`);
    if (failed(result)) process.exitCode = 1;
  });
}
