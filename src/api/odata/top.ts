/**
 * `$top`: page size. Graph allows 1..999 on directory objects (MAX_PAGE_SIZE) and answers a larger value with
 * "Invalid page size specified"; the default is 100.
 *
 *   top = ( "$top" / "top" ) EQ oneToNine *DIGIT               ; OData 4.01 Part 2 §5.1.5
 */
import { CloudsyncError } from '../../errors/index.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../directory/query.ts';

export function parseTop(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PAGE_SIZE;
  const value = /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new CloudsyncError('ERR_ODATA_TOP', `Invalid page size specified: '${text}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`, { path: '$top' });
  }
  return value;
}
