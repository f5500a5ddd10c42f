/**
 * ISO 8601 durations as Graph's synchronizationSchedule.interval carries them (`PT2M`, `PT40M`, `P1D`, `PT10S`).
 *
 *   duration = "P" [n "D"] ["T" [n "H"] [n "M"] [n ["." n] "S"]]     (weeks, months and years refused: not fixed lengths)
 *
 * Cycles more often than every 10 seconds would keep a directory under constant load for no benefit; the minimum
 * is the contract, stated in every refusal so the fix is in the message.
 */
import { CloudsyncError } from '../errors/index.ts';

export const MINIMUM_INTERVAL_SECONDS = 10;
export const DEFAULT_INTERVAL = 'PT2M';

const PATTERN = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Seconds in an ISO 8601 day-time duration; anything else is ERR_SYNC_CONFIG_INVALID naming `path`. */
export function parseInterval(text: unknown, path = 'schedule.interval'): number {
  const match = typeof text === 'string' ? PATTERN.exec(text) : null;
  if (typeof text !== 'string' || match === null || text === 'P' || text.endsWith('T')) {
    throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID',
      `${path} must be an ISO 8601 duration such as PT2M, PT10M or PT1H (at least PT${MINIMUM_INTERVAL_SECONDS}S); got ${JSON.stringify(text)}.`, { path });
  }
  const [, days, hours, minutes, seconds] = match;
  const total = Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
  if (total < MINIMUM_INTERVAL_SECONDS) {
    throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID',
      `${path} ${text} is shorter than the minimum interval PT${MINIMUM_INTERVAL_SECONDS}S (10 seconds).`, { path });
  }
  return total;
}
