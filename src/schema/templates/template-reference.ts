/**
 * The "Default mappings" section of docs/schema.md, rendered from the templates themselves so the document
 * cannot drift from the data (test/schema/templates.test.ts checks that the document contains this text).
 */
import type { ObjectMapping } from '../synchronization-schema.ts';
import { getTemplate, TEMPLATE_IDS } from './template-registry.ts';

const EXTENSION = /^extensionAttribute(\d+)$/;

function table(mapping: ObjectMapping): string[] {
  const rows = ['| target | source expression | default | flowType | matching |', '|---|---|---|---|---|'];
  const mappings = mapping.attributeMappings ?? [];
  const extensions = mappings.filter((m) => EXTENSION.test(m.targetAttributeName));
  const foldExtensions = extensions.length === 15 && extensions.every((m) => m.source?.expression === `Trim([${m.targetAttributeName}])`);
  for (const m of mappings) {
    const n = EXTENSION.exec(m.targetAttributeName)?.[1];
    if (foldExtensions && n !== undefined && n !== '1') continue;
    const folded = foldExtensions && n === '1';
    const target = folded ? 'extensionAttribute1 … 15' : m.targetAttributeName;
    const expression = folded ? 'Trim([extensionAttributeN])' : m.source?.expression ?? '(none)';
    rows.push(`| ${target} | \`${expression.replace(/\|/g, '\\|')}\` | ${m.defaultValue ?? ''} | ${m.flowType ?? 'Always'} | ${m.matchingPriority ? m.matchingPriority : ''} |`);
  }
  return rows;
}

export function renderTemplateReference(): string {
  const out: string[] = [];
  for (const id of TEMPLATE_IDS) {
    const rule = getTemplate(id).synchronizationRules?.[0];
    if (rule === undefined) continue;
    out.push(`### Template ${id}`, '', `\`${rule.sourceDirectoryName}\` → \`${rule.targetDirectoryName}\``, '');
    let previous = '';
    for (const mapping of rule.objectMappings ?? []) {
      out.push(`#### ${mapping.name ?? ''} (\`${mapping.sourceObjectName}\` → \`${mapping.targetObjectName}\`)`, '');
      const body = JSON.stringify(mapping.attributeMappings);
      if (body === previous) {
        out.push('The same mappings as the previous object mapping.', '');
        continue;
      }
      previous = body;
      out.push(...table(mapping), '');
    }
  }
  return out.join('\n');
}
