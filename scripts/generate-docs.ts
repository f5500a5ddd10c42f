/**
 * Regenerates the reference pages that are derived from code (`npm run docs`).
 * Tests compare each committed page with its renderer, so forgetting to run this fails the build.
 */
import { writeFile } from 'node:fs/promises';
import { GENERATED_DOCS } from '../src/server/generated-docs.ts';

for (const { path, render } of GENERATED_DOCS) {
  await writeFile(new URL(`../${path}`, import.meta.url), render());
  process.stdout.write(`wrote ${path}\n`);
}
