/**
 * A source that reads through another one until told to fail: every import then throws what `failure()` returns,
 * as an Active Directory connector does when its bind is refused or the DC does not answer. Reads of single
 * objects go through (the engine only uses them for escrow retries).
 */
import type { EngineSource } from '../../src/engine/index.ts';

export function failingSource(inner: () => EngineSource, failure: () => Error | undefined): EngineSource {
  const check = (): void => {
    const error = failure();
    if (error !== undefined) throw error;
  };
  return {
    get capabilities() { return inner().capabilities; },
    fullImport: (options) => { check(); return inner().fullImport(options); },
    deltaImport: (watermark, options) => { check(); return inner().deltaImport(watermark, options); },
    readObject: (dn) => inner().readObject(dn),
    readValues: (dn, attribute, options) => inner().readValues(dn, attribute, options),
    listAnchors: (options) => inner().listAnchors(options),
  };
}
