/**
 * What a run of writes left, as text two tenants can be compared by (createEach / updateEach against one call per
 * item): the outcomes, the users and groups, and the delta since before the run, with ids as labels (objects stored
 * before the run by their label, objects the run created by `item<index>`, an id never stored `<refused>`) and the
 * tenant's domain as `<domain>`.
 */
import { CloudsyncError } from '../../src/errors/index.ts';
import type { CloudDirectory } from '../../src/directory/index.ts';

/** An outcome as both ways report it: the object written, or the CloudsyncError the call threw. */
export type Outcome = { readonly ok: true; readonly object: { readonly id: string } } | { readonly ok: false; readonly error: CloudsyncError };

/** The outcome of one call (a `create`, an `update`): its object, or the CloudsyncError it threw. */
export async function outcomeOf(call: () => Promise<{ readonly id: string }>): Promise<Outcome> {
  try {
    return { ok: true, object: await call() };
  } catch (error) {
    if (!(error instanceof CloudsyncError)) throw error;
    return { ok: false, error };
  }
}

/** Every delta entry of `type` since `token` (from the start without one), and the token of now. */
async function deltaOf(directory: CloudDirectory, tenantId: string, type: 'user' | 'group', token?: string): Promise<{ items: unknown[]; token: string }> {
  const items: unknown[] = [];
  let page = await directory.delta(tenantId, type, token === undefined ? { top: 999 } : { token });
  for (;;) {
    items.push(...page.items);
    if (page.deltaToken !== undefined) return { items, token: page.deltaToken };
    page = await directory.delta(tenantId, type, { token: page.nextToken!, top: 999 });
  }
}

export interface DeltaTokens {
  readonly user: string;
  readonly group: string;
}

/** The delta tokens of now, to snapshot what a run changes. */
export async function deltaTokens(directory: CloudDirectory, tenantId: string): Promise<DeltaTokens> {
  return { user: (await deltaOf(directory, tenantId, 'user')).token, group: (await deltaOf(directory, tenantId, 'group')).token };
}

export interface Snapshot {
  readonly outcomes: readonly string[];
  readonly users: readonly string[];
  readonly groups: readonly string[];
  readonly delta: readonly string[];
}

/** `labels`: id → label of the objects stored before the run; created objects are added as `item<index>`. */
export async function snapshot(
  directory: CloudDirectory,
  tenant: { readonly tenantId: string; readonly domain: string },
  labels: Map<string, string>,
  outcomes: readonly Outcome[],
  before: DeltaTokens,
): Promise<Snapshot> {
  const { tenantId, domain } = tenant;
  outcomes.forEach((o, index) => {
    if (o.ok && !labels.has(o.object.id)) labels.set(o.object.id, `item${index}`);
  });
  const text = (value: unknown) =>
    JSON.stringify(value)
      .replaceAll(domain, '<domain>')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => labels.get(id) ?? '<refused>');
  const byLabel = (objects: readonly unknown[]) => objects.map(text).sort();
  return {
    outcomes: outcomes.map((o) => text(o.ok ? { ok: true, object: o.object } : { ok: false, code: o.error.code, message: o.error.message, path: o.error.path, details: o.error.details })),
    users: byLabel((await directory.list(tenantId, 'user', { top: 999 })).items),
    groups: byLabel((await directory.list(tenantId, 'group', { top: 999 })).items),
    delta: byLabel([...(await deltaOf(directory, tenantId, 'user', before.user)).items, ...(await deltaOf(directory, tenantId, 'group', before.group)).items]),
  };
}

/** The code of a snapshot's outcome, `written` for one that passed. */
export function codeOf(outcome: string): string {
  return (JSON.parse(outcome) as { code?: string }).code ?? 'written';
}

/** The details of a snapshot's refused outcome. */
export function detailsOf(outcome: string): Record<string, unknown> {
  return (JSON.parse(outcome) as { details: Record<string, unknown> }).details;
}
