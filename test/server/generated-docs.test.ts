import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { GENERATED_DOCS } from '../../src/server/generated-docs.ts';

for (const { path, render } of GENERATED_DOCS) {
  test(`${path} is up to date with the code (npm run docs)`, async () => {
    const committed = await readFile(new URL(`../../${path}`, import.meta.url), 'utf8');
    assert.equal(committed, render());
  });
}
