/**
 * FormatDateTime — "Takes a date string from one format and converts it into a different format."
 *
 * Two documented signatures: app provisioning's `FormatDateTime(source, dateTimeStyles, inputFormat,
 * outputFormat)` and Cloud Sync's `FormatDateTime(source, inputFormat, outputFormat)`; the argument count
 * tells them apart. dateTimeStyles: "If left empty, the default value used is DateTimeStyles.RoundtripKind,
 * DateTimeStyles.AllowLeadingWhite, DateTimeStyles.AllowTrailingWhite". inputFormat: "Expected format of the
 * source value. For supported formats, see .NET custom date and time format strings." outputFormat:
 * "Format of the output date."
 */
import { singleText } from '../coerce.ts';
import { formatDotnetDateTime } from '../dotnet-date-format.ts';
import {
  DEFAULT_FORMAT_DATE_TIME_STYLES, parseDateTimeStyles, parseExactDotnetDateTime, type DateTimeStyles,
} from '../dotnet-date-parse.ts';
import { dotnetDateTime } from '../dotnet-date-time.ts';
import { CloudsyncError } from '../../errors/index.ts';
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';
import type { Scalar, Value } from '../value.ts';

function requiredFormat(parameter: string, value: Value): string {
  const text = singleText('FormatDateTime', parameter, value);
  if (text === null || text === '') throw evaluationError('FormatDateTime', `${parameter} is required (a .NET date and time format string)`);
  return text;
}

export const formatDateTime: ExpressionFunction = {
  name: 'FormatDateTime',
  summary: 'Reads a date with one .NET date and time format and writes it with another.',
  syntax: 'FormatDateTime(source, [dateTimeStyles], inputFormat, outputFormat)',
  semantics:
    'Called with three arguments it is Cloud Sync\'s `FormatDateTime(source, inputFormat, outputFormat)`; with ' +
    'four, app provisioning\'s, with dateTimeStyles second (empty for the default). Both formats are .NET ' +
    'custom format strings (d … dddd, M … MMMM, y … yyyyy, h, hh, H, HH, m, mm, s, ss, f/F up to 7, t, tt, z, ' +
    'zz, zzz, K, quoted literals, `\\` escapes, `%` for a lone specifier) or one-letter standard formats ' +
    '(d D f F g G M o r s t T u U Y), en-US. Parsing is exact, as ParseExact is: the whole source must match. ' +
    'A literal `Z` in inputFormat reads the UTC designator. Offsets in the source are converted to UTC, which ' +
    'is the service\'s local time zone, so `zzz` writes `+00:00`. A DateTime source (CDate, Now) is formatted ' +
    'directly. A multi-valued source converts each value; a missing one stays missing.',
  parameters: [
    { name: 'source', description: 'Usually name of the attribute from the source object.', required: true },
    { name: 'dateTimeStyles', description: 'DateTimeStyles names separated by commas (RoundtripKind, AdjustToUniversal, AssumeUniversal, …); empty for the default.', required: false },
    { name: 'inputFormat', description: 'Expected format of the source value (.NET custom date and time format string).', required: true },
    { name: 'outputFormat', description: 'Format of the output date.', required: true },
  ],
  minArgs: 3,
  maxArgs: 4,
  examples: [
    { expression: 'FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")', attributes: { extensionAttribute1: '20150123105347.1Z' }, result: '2015-01-23' },
    { expression: 'FormatDateTime([extensionAttribute1], "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")', attributes: { extensionAttribute1: '20150123105347.1Z' }, result: '2015-01-23', note: 'the Cloud Sync signature, without dateTimeStyles' },
    { expression: 'FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd")', attributes: { ContractEndDate: '2020-12-31-08:00' }, result: '2020-12-31' },
    { expression: 'FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd")', attributes: { endDate: '12/31/2020 11:59:59 PM' }, result: '2020-12-31' },
    { expression: 'FormatDateTime([whenCreated], , "yyyyMMddHHmmss.0Z", "dddd, MMMM d, yyyy \'at\' h:mm tt")', attributes: { whenCreated: '20240229133005.0Z' }, result: 'Thursday, February 29, 2024 at 1:30 PM' },
    { expression: 'FormatDateTime([hired], "AdjustToUniversal", "yyyy-MM-ddTHH:mm:sszzz", "o")', attributes: { hired: '2024-02-29T08:30:00+05:30' }, result: '2024-02-29T03:00:00.0000000Z' },
    { expression: 'FormatDateTime([hired], , "yyyy-MM-dd", "yyyy-MM-dd")', attributes: { hired: '29.02.2024' }, result: { error: 'ERR_EXPR_EVALUATION' } },
    { expression: 'FormatDateTime([hired], , "yyyy-MM-dd", "yyyy-MM-dd")', attributes: {}, result: null },
  ],
  evaluate(args, context) {
    const [source, ...rest] = args;
    const fourArgs = args.length === 4;
    const stylesText = fourArgs ? singleText('FormatDateTime', 'dateTimeStyles', rest[0] ?? null) : null;
    const inputFormat = requiredFormat('inputFormat', (fourArgs ? rest[1] : rest[0]) ?? null);
    const outputFormat = requiredFormat('outputFormat', (fourArgs ? rest[2] : rest[1]) ?? null);
    let styles: DateTimeStyles = DEFAULT_FORMAT_DATE_TIME_STYLES;
    if (stylesText !== null && stylesText.trim() !== '') {
      try {
        styles = parseDateTimeStyles(stylesText);
      } catch (error) {
        throw evaluationError('FormatDateTime', (error as Error).message, { dateTimeStyles: stylesText });
      }
    }
    const now = context.now();
    const convert = (value: Scalar): string => {
      try {
        const parsed = value instanceof Date
          ? dotnetDateTime(value, 'utc')
          : parseExactDotnetDateTime(singleText('FormatDateTime', 'source', value) ?? '', inputFormat, styles, now);
        return formatDotnetDateTime(parsed, outputFormat);
      } catch (error) {
        if (error instanceof CloudsyncError && !error.message.startsWith('FormatDateTime:')) {
          throw new CloudsyncError(error.code, `FormatDateTime: ${error.message}`, error.details === undefined ? {} : { details: { ...error.details } });
        }
        throw error;
      }
    };
    const value: Value = source ?? null;
    if (value === null) return null;
    if (Array.isArray(value)) return value.map((item) => convert(item as Scalar));
    return convert(value as Scalar);
  },
};
