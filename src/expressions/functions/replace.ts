/**
 * Replace — "Replaces values within a string in a case-sensitive manner. The function behaves differently
 * depending on the parameters provided:
 * - When oldValue and replacementValue are provided: Replaces all occurrences of oldValue in the source
 *   with replacementValue
 * - When oldValue and template are provided: Replaces all occurrences of the oldValue in the template with
 *   the source value
 * - When regexPattern and replacementValue are provided: The function applies the regexPattern to the
 *   source string and you can use the regex group names to construct the string for replacementValue
 * - When regexPattern, regexGroupName, replacementValue are provided: The function applies the regexPattern
 *   to the source string and replaces all values matching regexGroupName with replacementValue
 * - When regexPattern, regexGroupName, replacementAttributeName are provided: If source has a value, source
 *   is returned. If source has no value, the function applies the regexPattern to the
 *   replacementAttributeName and returns the value matching regexGroupName"
 * (functions-for-customizing-application-data.md). Skipped parameters are empty slots:
 * `Replace([mail], "@contoso.com", , ,"", ,)`.
 */
import { describeValue, isNullOrEmpty, mapText, singleText } from '../coerce.ts';
import { dotnetMatches, replaceDotnet, translateDotnetRegex, type DotnetRegex } from '../dotnet-regex.ts';
import { CloudsyncError } from '../../errors/index.ts';
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';
import type { Value } from '../value.ts';

const FN = 'Replace';

/** Translation is the expensive part and mappings reuse a handful of patterns for every object. */
const CACHE_LIMIT = 256;
const compiled = new Map<string, DotnetRegex>();

function regexFor(pattern: string): DotnetRegex {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      regex = translateDotnetRegex(pattern);
    } catch (error) {
      if (error instanceof CloudsyncError) throw new CloudsyncError(error.code, `${FN}: ${error.message}`, error.details === undefined ? {} : { details: { ...error.details } });
      throw error;
    }
    if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value!);
    compiled.set(pattern, regex);
  }
  return regex;
}

function groupNumber(regex: DotnetRegex, name: string): number {
  const number = regex.groupNumberOfName.get(name);
  if (number === undefined) {
    const names = [...regex.groupNumberOfName.keys()].filter((n) => !/^\d+$/.test(n));
    throw new CloudsyncError('ERR_EXPR_REGEX', `${FN}: regexGroupName "${name}" is not a group of regexPattern "${regex.pattern}"${names.length > 0 ? ` (its named groups: ${names.join(', ')})` : ''}`, {
      details: { pattern: regex.pattern, group: name },
    });
  }
  return number;
}

/** Every capture of the group, in every match, replaced by `replacement` (taken literally). */
function replaceGroup(regex: DotnetRegex, group: number, input: string, replacement: string): string {
  let out = '';
  let end = 0;
  for (const m of dotnetMatches(regex, input)) {
    const capture = m.group(group);
    if (capture === undefined) continue;
    out += input.slice(end, capture.index) + replacement;
    end = capture.index + capture.value.length;
  }
  return out + input.slice(end);
}

function replaceAll(text: string, oldValue: string, replacement: string): string {
  return text.split(oldValue).join(replacement);
}

export const replace: ExpressionFunction = {
  name: 'Replace',
  summary: 'Replaces text, literally or with a .NET regular expression; five modes chosen by which parameters are given.',
  syntax: 'Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)',
  semantics: [
    'Parameters are positional; leave the unused ones empty (`Replace([mail], "@contoso.com", , ,"", ,)`). ' +
      'All matching is case-sensitive. The mode is chosen in this order:',
    '1. regexPattern + regexGroupName + replacementValue: every capture of the group, in every match, is ' +
      'replaced by replacementValue (literally).',
    '2. regexPattern + regexGroupName (replacementValue empty), with replacementAttributeName: if source has a ' +
      'value (not missing, not "") it is returned unchanged; otherwise the pattern is applied to ' +
      'replacementAttributeName\'s value and the group\'s capture in the first match is returned (missing when ' +
      'nothing matches).',
    '3. regexPattern + replacementValue: `Regex.Replace`: every match is replaced by replacementValue, in ' +
      'which .NET substitutions work: `$1`, `${name}`, `$$`, `$&`, `` $` ``, `$\'`, `$+`, `$_`.',
    '4. regexPattern + replacementAttributeName: every match is replaced by that attribute\'s value (literally).',
    '5. oldValue + template: every oldValue in template is replaced by source. oldValue + replacementValue, or ' +
      'oldValue + replacementAttributeName: every oldValue in source is replaced; with neither, occurrences are ' +
      'removed (as .NET\'s String.Replace with null).',
    'regexPattern is a .NET regular expression, translated faithfully (named groups, .NET group numbering, ' +
      'inline options, Unicode \\d \\w \\s \\b, `$` before a final newline, class subtraction, atomic groups); ' +
      'constructs JavaScript cannot express (balancing groups, conditionals, \\G, Unicode block names) are ' +
      'ERR_EXPR_REGEX naming the construct. A multi-valued source is processed value by value. A missing source ' +
      'gives a missing result, except in mode 2.',
  ].join('\n\n'),
  deviation:
    'The Cloud Sync reference describes the regexGroupName + replacementAttributeName mode the other way round ' +
    '("If source has no value, source is returned"); we follow the app-provisioning reference and its worked ' +
    'example (an empty telephoneNumber is filled from mobile). Microsoft lists five combinations; the two ' +
    'left undefined (regexPattern or oldValue with replacementAttributeName alone) replace with that ' +
    'attribute\'s value instead of failing. Two of Microsoft\'s sample outputs are not what the documented ' +
    'expressions produce (.NET keeps the "+" of "+1 (999) 888-7777", which the class [()\\s-] does not cover; and ' +
    'the ConvertToUTF8Hex sample belongs to a different objectId); our examples show the real results.',
  parameters: [
    { name: 'source', description: 'Usually name of the attribute from the source object.', required: true },
    { name: 'oldValue', description: 'Value to be replaced in source or template.', required: false },
    { name: 'regexPattern', description: 'Regex pattern (.NET) for the value to be replaced in source, or to extract a value from replacementAttributeName.', required: false },
    { name: 'regexGroupName', description: 'Name of the group inside regexPattern.', required: false },
    { name: 'replacementValue', description: 'New value to replace old one with.', required: false },
    { name: 'replacementAttributeName', description: 'The attribute whose value is used for replacement.', required: false },
    { name: 'template', description: 'When given, oldValue is looked for inside the template and replaced with source.', required: false },
  ],
  minArgs: 2,
  maxArgs: 7,
  examples: [
    { expression: 'Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )', attributes: { BusinessTitle: 'Product Developer' }, result: 'Software Engineer' },
    { expression: 'Replace([UserID],"<username>", , , , , "<username>@contoso.com")', attributes: { UserID: 'jsmith' }, result: 'jsmith@contoso.com' },
    { expression: 'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", , "${phoneNumber}", , )', attributes: { telephoneNumber: '+91 9998887777' }, result: '9998887777' },
    { expression: 'Replace([mobile], , "[()\\\\s-]+", , "", , )', attributes: { mobile: '+1 (999) 888-7777' }, result: '+19998887777', note: 'Microsoft\'s sample output drops the "+" as well ("19998887777"), but "+" is not in the pattern\'s class; .NET keeps it' },
    { expression: 'Replace([AddressLineData], ,"(?<streetNumber>^\\\\d*)","streetNumber", "888", , )', attributes: { AddressLineData: '545 Tremont Street' }, result: '888 Tremont Street' },
    { expression: 'Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )', attributes: { userPrincipalName: 'jsmith@contoso.com' }, result: 'jsmith' },
    { expression: 'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )', attributes: { telephoneNumber: '', mobile: '+91 8887779999' }, result: '8887779999' },
    { expression: 'Replace([mailNickname], , "[a-zA-Z_]*", , "", , )', attributes: { mailNickname: 'john_doe72' }, result: '72' },
    { expression: 'Replace([mail], "@contoso.com", , ,"", ,)', attributes: { mail: 'john.doe@contoso.com' }, result: 'john.doe' },
    { expression: 'Replace([proxyAddresses], "smtp:", , , "SMTP:", , )', attributes: { proxyAddresses: ['smtp:a@contoso.com', 'SMTP:b@contoso.com'] }, result: ['SMTP:a@contoso.com', 'SMTP:b@contoso.com'], note: 'case-sensitive, value by value' },
    { expression: 'Replace([name], , "(?<first>\\\\w+) (?<last>\\\\w+)", , "${last}, ${first}", , )', attributes: { name: 'Zoë Ångström' }, result: 'Ångström, Zoë', note: '\\w is Unicode-aware, as in .NET' },
    { expression: 'Replace([x], , "(?(a)b|c)", , "", , )', attributes: { x: 'abc' }, result: { error: 'ERR_EXPR_REGEX' } },
  ],
  evaluate([sourceArg, oldValueArg, patternArg, groupArg, replacementArg, attributeArg, templateArg]) {
    const source: Value = sourceArg ?? null;
    const oldValue = singleText(FN, 'oldValue', oldValueArg ?? null);
    const pattern = singleText(FN, 'regexPattern', patternArg ?? null);
    const group = singleText(FN, 'regexGroupName', groupArg ?? null);
    const replacement = singleText(FN, 'replacementValue', replacementArg ?? null);
    const template = singleText(FN, 'template', templateArg ?? null);
    const attribute: Value = attributeArg ?? null;

    if (pattern !== null) {
      const regex = regexFor(pattern);
      if (group !== null && group !== '') {
        const number = groupNumber(regex, group);
        if (replacement !== null) return mapText(FN, source, (text) => replaceGroup(regex, number, text, replacement));
        if (!isNullOrEmpty(source)) return source;
        const from = singleText(FN, 'replacementAttributeName', attribute);
        if (from === null) return null;
        for (const m of dotnetMatches(regex, from)) {
          const capture = m.group(number);
          if (capture !== undefined) return capture.value;
        }
        return null;
      }
      if (replacement !== null) return mapText(FN, source, (text) => replaceDotnet(regex, text, replacement));
      if (attribute !== null) {
        const value = singleText(FN, 'replacementAttributeName', attribute) ?? '';
        return mapText(FN, source, (text) => replaceDotnet(regex, text, value.replaceAll('$', '$$')));
      }
      throw evaluationError(FN, 'regexPattern needs replacementValue, replacementAttributeName, or regexGroupName with one of them');
    }
    if (oldValue !== null) {
      if (oldValue === '') throw evaluationError(FN, 'oldValue cannot be empty (there is nothing to look for)');
      if (template !== null) return mapText(FN, source, (text) => replaceAll(template, oldValue, text));
      const by = replacement ?? singleText(FN, 'replacementAttributeName', attribute) ?? '';
      return mapText(FN, source, (text) => replaceAll(text, oldValue, by));
    }
    throw evaluationError(FN, `nothing to replace: give oldValue or regexPattern (source is ${describeValue(source)})`);
  },
};
