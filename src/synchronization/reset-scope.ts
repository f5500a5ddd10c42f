/**
 * Graph's synchronizationJobRestartScope, a flags enum sent as a comma-separated list:
 *
 *   "criteria": { "resetScope": "Watermark, Escrows, QuarantineState, Full, ForceDeletes" }
 *
 * Members (Graph's names, matched case-insensitively as OData enum members are): None, ConnectorDataStore,
 * Escrows, Watermark, QuarantineState, Full, ForceDeletes. An absent or null criteria means a full restart, as
 * the portal's "Restart sync" does (QuarantineState, Watermark, Escrows).
 */
import { CloudsyncError } from '../errors/index.ts';

export const RESET_SCOPES = ['None', 'ConnectorDataStore', 'Escrows', 'Watermark', 'QuarantineState', 'Full', 'ForceDeletes'] as const;
export type ResetScope = (typeof RESET_SCOPES)[number];

/** What "Restart sync" clears when no criteria are given. */
export const DEFAULT_RESET_SCOPE: readonly ResetScope[] = Object.freeze(['Watermark', 'Escrows', 'QuarantineState']);

export function parseResetScope(text: unknown, path = 'criteria.resetScope'): readonly ResetScope[] {
  if (text === undefined || text === null) return DEFAULT_RESET_SCOPE;
  if (typeof text !== 'string') {
    throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID', `${path} must be a string of comma-separated flags (${RESET_SCOPES.join(', ')}).`, { path });
  }
  const flags: ResetScope[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    const flag = RESET_SCOPES.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (flag === undefined) {
      throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID',
        `${path}: '${name}' is not a synchronizationJobRestartScope flag; use any of ${RESET_SCOPES.join(', ')}.`, { path, details: { allowed: [...RESET_SCOPES] } });
    }
    if (!flags.includes(flag)) flags.push(flag);
  }
  const meaningful = flags.filter((flag) => flag !== 'None');
  return Object.freeze(meaningful.length === 0 ? ['None'] : meaningful);
}
