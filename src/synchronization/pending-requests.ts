/**
 * How a job's pending requests are stored and acknowledged (the `requests` column of sync_jobs).
 *
 * An admin's request (start, pause, restart, schema PUT) writes the flags of PendingRequests, a `serial` that grows
 * with every request, and for each request pending the serial that last asked for it (`setAt`). A cycle runs with a
 * snapshot of the requests (JobSnapshot.requestsVersion = the serial it read) and, when it records its execution,
 * acknowledges that serial: a request asked for at or before it is done, one asked for after it (while the cycle ran)
 * stays pending. Per request, not for the set: when a start came during a cycle that a schema PUT had made a full
 * re-evaluation, acknowledging all or nothing kept the re-evaluation pending too, and the start ran a second full cycle
 * (an AD scenario caught it as a "delta" that read all 1,670 objects; at 200,000 objects a second full cycle costs
 * ~4.4 s).
 *
 * Rows written before `setAt` existed hold only `serial`: each of their requests counts as asked for at that serial,
 * which acknowledges them all or none, as they were acknowledged then.
 */
import { NO_REQUESTS, type JobTransition, type PendingRequests } from './synchronization-job.ts';

export const REQUEST_KINDS = ['restart', 'fullReevaluation', 'runNow'] as const satisfies readonly (keyof PendingRequests)[];
export type RequestKind = (typeof REQUEST_KINDS)[number];

interface StoredRequests extends PendingRequests {
  readonly serial?: number;
  readonly setAt?: Partial<Record<RequestKind, number>>;
}

function pending(requests: PendingRequests, kind: RequestKind): boolean {
  const value = requests[kind];
  return value !== null && value !== false;
}

function parse(json: string): StoredRequests {
  return JSON.parse(json) as StoredRequests;
}

/** The flags a stored `requests` value holds. */
export function requestsOf(json: string): PendingRequests {
  const { restart, fullReevaluation, runNow } = parse(json);
  return { restart, fullReevaluation, runNow };
}

/** The serial of the last request: what a cycle that ran with these requests acknowledges. */
export function requestSerialOf(json: string): number {
  return parse(json).serial ?? 0;
}

/** The serial at which `kind` was last asked for (a row from before `setAt`: its serial). */
function askedAt(stored: StoredRequests, kind: RequestKind): number {
  return stored.setAt?.[kind] ?? stored.serial ?? 0;
}

/**
 * The stored value after an admin's request: `requests` as they now stand, `asked` the ones this request asked for
 * (again, if already pending: a second start during a cycle is a new request). Every request is a new serial, even
 * when the flags stay as they were.
 */
export function nextRequests(previousJson: string, requests: PendingRequests, asked: readonly RequestKind[]): string {
  const previous = parse(previousJson);
  const serial = (previous.serial ?? 0) + 1;
  const setAt: Partial<Record<RequestKind, number>> = {};
  for (const kind of REQUEST_KINDS) {
    if (!pending(requests, kind)) continue;
    setAt[kind] = asked.includes(kind) || !pending(previous, kind) ? serial : askedAt(previous, kind);
  }
  const { restart, fullReevaluation, runNow } = requests;
  return JSON.stringify({ restart, fullReevaluation, runNow, serial, setAt });
}

/** The stored value once a cycle that ran with serial `acknowledged` has ended: what was asked for after it. */
export function acknowledgeRequests(currentJson: string, acknowledged: number): string {
  const current = parse(currentJson);
  const kept: { -readonly [K in keyof PendingRequests]: PendingRequests[K] } = { ...NO_REQUESTS };
  const setAt: Partial<Record<RequestKind, number>> = {};
  for (const kind of REQUEST_KINDS) {
    const at = askedAt(current, kind);
    if (!pending(current, kind) || at <= acknowledged) continue;
    (kept as Record<RequestKind, unknown>)[kind] = current[kind];
    setAt[kind] = at;
  }
  return JSON.stringify({ ...kept, serial: current.serial ?? 0, setAt });
}

/** What each admin transition asks for (restart asks for a full re-evaluation only with resetScope Full). */
const ASKED: { readonly [K in JobTransition['kind']]: (transition: Extract<JobTransition, { kind: K }>) => readonly RequestKind[] } = {
  start: () => ['runNow'],
  pause: () => [],
  restart: (transition) => (transition.resetScope.includes('Full') ? ['restart', 'runNow', 'fullReevaluation'] : ['restart', 'runNow']),
};

export function requestsAskedBy(transition: JobTransition): readonly RequestKind[] {
  return (ASKED[transition.kind] as (t: JobTransition) => readonly RequestKind[])(transition);
}
