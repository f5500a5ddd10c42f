import { DEFAULTS } from './defaults.ts';

/** Renders docs/reference/configuration.md from DEFAULTS, so the docs cannot drift from the code. */
export function renderConfigurationReference(): string {
  const rows = Object.entries(DEFAULTS).map(([name, d]) =>
    `| \`${name}\` | \`${String(d.value)}\` | ${d.unit ?? ''} | \`${d.override}\` | ${d.description} |`,
  );
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from src/server/defaults.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    '| setting | default | unit | override | description |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
