/**
 * Writes docs/reference/expression-functions.md from the expression function registry.
 *
 *   npx node scripts/generate-expression-docs.ts [--check]
 *
 * With --check, writes nothing and exits 1 when the committed file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderFunctionReference } from '../src/expressions/index.ts';

export const EXPRESSION_REFERENCE_PATH = fileURLToPath(new URL('../docs/reference/expression-functions.md', import.meta.url));

if (import.meta.main) {
  const rendered = renderFunctionReference();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(EXPRESSION_REFERENCE_PATH, 'utf8');
    } catch {
      // a missing file is simply out of date
    }
    if (current !== rendered) {
      process.stderr.write(`${EXPRESSION_REFERENCE_PATH} is out of date; run: npx node scripts/generate-expression-docs.ts\n`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(EXPRESSION_REFERENCE_PATH, rendered);
    process.stdout.write(`wrote ${EXPRESSION_REFERENCE_PATH}\n`);
  }
}
