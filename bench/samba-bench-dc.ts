/**
 * The Samba side of the LDAP benchmarks: a throwaway DC (test/harness/samba.ts) with N users added under
 * OU=Bench, and the `ldapsearch` arguments that dump the same entries and attributes the AD connector imports.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_AD_ATTRIBUTES } from '../src/connectors/ldap/active-directory-connector.ts';
import { addOu, seedAdUsers, startSamba, type SambaDc } from '../test/harness/samba.ts';

const AD_OBJECTS = '(|(&(objectClass=user)(!(objectClass=computer)))(objectClass=group)(objectClass=contact)(objectClass=organizationalUnit))';

export interface SeededSambaDc {
  readonly dc: SambaDc;
  /** OU=Bench,…: the container holding the users */
  readonly container: string;
  readonly seedMs: number;
  readonly ldapsearchArgs: readonly string[];
}

/** `managers`: see seedAdUsers (each user reports to one of the first `managers` users). */
export async function seededSambaDc(users: number, options: { readonly managers?: number } = {}): Promise<SeededSambaDc> {
  const dc = await startSamba({ processModel: 'single' });
  try {
    const admin = await dc.admin();
    const container = `OU=Bench,${dc.baseDn}`;
    await addOu(admin, container);
    const t0 = performance.now();
    await seedAdUsers(admin, container, users, { prefix: 'bench', concurrency: 16, ...options });
    const seedMs = Math.round(performance.now() - t0);
    return { dc, container, seedMs, ldapsearchArgs: ['-x', '-H', dc.url, '-D', dc.adminDn, '-w', dc.adminPassword, '-b', container, AD_OBJECTS, ...DEFAULT_AD_ATTRIBUTES] };
  } catch (error) {
    await dc.stop();
    throw error;
  }
}
