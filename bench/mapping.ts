/**
 * Mapping throughput on one core: the full default AD user mapping set of AD2AADProvisioning (with lineage)
 * evaluated for N synthetic AD users, plus the default scoping (exclusions + a GUID-pinned OU) for the same
 * objects. Target (issue §5): ≥ 50,000 objects/s on one core for the mappings. Prints JSON. The target is judged
 * on CPU time (objects per CPU-second of this single-threaded process), and wall-clock rates are printed too.
 *
 *   npx node bench/mapping.ts [--objects 20000] [--seconds 2] [--rounds 3]
 *
 * Each measure runs `rounds` times and reports the median (and every round): on a shared 2-core machine a
 * single round swings by 2× with the load of other processes, which is also why the load average is printed.
 */
import { loadavg } from 'node:os';
import { attributeSource, reference, type AttributeSource, type Value } from '../src/expressions/index.ts';
import { compileObjectScope, compileSynchronizationSchema, formatScopeReference, getTemplate, type ObjectMapping } from '../src/schema/index.ts';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}
const objectCount = argument('objects', 20_000);
const seconds = argument('seconds', 2);
const rounds = argument('rounds', 3);

const SALES_OU = '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f';
const UAC = [512, 514, 66048, 66050] as const;

function guidBytes(i: number): Uint8Array {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(0, i, true);
  bytes[15] = 0x9c;
  return bytes;
}

function sidBytes(rid: number): Uint8Array {
  const bytes = Uint8Array.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0x15, 0xcd, 0x5b, 0x07, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e, 0x7f, 0x80, 0x91, 0, 0, 0, 0]);
  new DataView(bytes.buffer).setUint32(24, rid, true);
  return bytes;
}

function syntheticUser(i: number): AttributeSource {
  const given = `Given${i}`;
  const sn = `Surname${i % 997}`;
  const sam = `user${i}`;
  const record: Record<string, Value> = {
    objectGUID: guidBytes(i),
    objectSid: sidBytes(1000 + i),
    distinguishedName: `CN=${given} ${sn},OU=Team${i % 50},OU=Sales,DC=contoso,DC=com`,
    cn: `${given} ${sn}`,
    sAMAccountName: sam,
    userPrincipalName: `${sam}@contoso.com`,
    displayName: `${given} ${sn}`,
    givenName: given,
    sn,
    mail: `${sam}@contoso.com`,
    proxyAddresses: [`SMTP:${sam}@contoso.com`, `smtp:${given}.${sn}@contoso.com`],
    userAccountControl: UAC[i % 4] as number,
    department: ['Sales', 'Retail', 'Engineering', 'HR'][i % 4] as string,
    title: 'Account Manager',
    company: 'Contoso',
    telephoneNumber: `+1 425 555 ${String(i % 10000).padStart(4, '0')}`,
    l: 'Redmond',
    st: 'WA',
    co: 'United States',
    manager: reference(`CN=Manager ${i % 100},OU=Sales,DC=contoso,DC=com`),
    dnsDomainName: 'contoso.com',
    netBiosName: 'CONTOSO',
  };
  if (i % 3 === 0) record.mailNickname = sam;
  if (i % 5 === 0) record['ms-DS-ConsistencyGuid'] = guidBytes(i + 1);
  for (let n = 1; n <= 15; n += 4) record[`extensionAttribute${n}`] = `  value ${n} of ${i}  `;
  return attributeSource(record);
}

const template = getTemplate('AD2AADProvisioning');
const rule = template.synchronizationRules?.[0];
const userMapping = rule?.objectMappings?.[0] as ObjectMapping;
// As the engine holds it: compiled from the whole schema, so values are also fitted to the target types.
const users = compileSynchronizationSchema(template).rules[0]?.objectMappings[0];
if (users === undefined) throw new Error('AD2AADProvisioning has no user object mapping');
const compiled = users.mapping;
const scope = compileObjectScope({
  scope: userMapping.scope ?? null,
  containerFilter: { includedContainers: [formatScopeReference(SALES_OU, 'OU=Sales,DC=contoso,DC=com')] },
});
const objects = Array.from({ length: objectCount }, (_, i) => syntheticUser(i));
const placement = { ancestorGuids: new Set([SALES_OU]) };

interface Timing {
  /** objects per second of this process's CPU time (user + system): what one core does, whatever else runs */
  readonly objectsPerCpuSecond: number;
  /** objects per wall-clock second: lower than the above when other processes compete for the cores */
  readonly objectsPerSecond: number;
}

function timed(run: (object: AttributeSource, i: number) => number): Timing {
  let sink = 0;
  for (let i = 0; i < Math.min(objects.length, 5000); i++) sink += run(objects[i] as AttributeSource, i); // warm-up
  let done = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const budget = BigInt(Math.round(seconds * 1e9));
  do {
    for (let i = 0; i < objects.length; i++) sink += run(objects[i] as AttributeSource, i);
    done += objects.length;
  } while (process.hrtime.bigint() - start < budget);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (sink === 0) throw new Error('benchmark produced no output');
  return { objectsPerCpuSecond: Math.round(done / cpuSeconds), objectsPerSecond: Math.round(done / elapsed) };
}

interface Summary {
  readonly objectsPerCpuSecond: number;
  readonly objectsPerSecond: number;
  readonly rounds: readonly Timing[];
}

/** Median of the rounds for each rate. */
function median(run: () => Timing): Summary {
  const perRound = Array.from({ length: rounds }, run);
  const middle = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  return {
    objectsPerCpuSecond: middle(perRound.map((r) => r.objectsPerCpuSecond)),
    objectsPerSecond: middle(perRound.map((r) => r.objectsPerSecond)),
    rounds: perRound,
  };
}

let errors = 0;
const create = median(() => timed((object) => {
  const result = compiled.evaluate(object, { isCreate: true });
  errors += result.errors.length;
  return result.lineage.length;
}));
const update = median(() => timed((object) => compiled.evaluate(object, { isCreate: false }).lineage.length));
const scoping = median(() => timed((object) => (scope.isInScope(object, placement) ? 1 : 0)));
const target = 50_000;

console.log(JSON.stringify({
  benchmark: 'mapping',
  node: process.version,
  template: 'AD2AADProvisioning',
  objectMapping: userMapping.name,
  attributeMappings: compiled.attributeMappings.length,
  syntheticObjects: objectCount,
  secondsPerRound: seconds,
  loadAverage1m: Number((loadavg()[0] as number).toFixed(2)),
  evaluationErrors: errors,
  create: { ...create, mappingsPerCpuSecond: create.objectsPerCpuSecond * compiled.attributeMappings.length },
  update: { ...update, mappingsPerCpuSecond: update.objectsPerCpuSecond * compiled.attributeMappings.length },
  scoping,
  targetObjectsPerSecond: target,
  meetsTargetOnOneCore: create.objectsPerCpuSecond >= target && update.objectsPerCpuSecond >= target,
  meetsTargetWallClock: create.objectsPerSecond >= target && update.objectsPerSecond >= target,
}, null, 2));
