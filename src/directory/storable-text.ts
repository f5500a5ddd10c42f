/**
 * PostgreSQL text cannot hold U+0000, and its jsonb refuses the `\u0000` and lone-surrogate escapes JSON.stringify
 * writes for them: one such value stored in an object made every `$filter` that reads the object's JSON fail for the
 * whole tenant. Refused on both backends, so a tenant can move between them.
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}
