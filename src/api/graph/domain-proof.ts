/**
 * What the Graph API needs to accept a tenant's claim to a domain: proof that whoever controls the domain's DNS
 * published the record this tenant was given. Declared here, by its consumer; the composition root supplies the
 * DNS implementation (src/server/dns-domain-proof.ts).
 *
 * Entra's flow (https://learn.microsoft.com/graph/api/resources/domain): add the domain (unverified), read
 * `GET /domains/{id}/verificationDnsRecords`, publish that TXT record at the DNS host, `POST /domains/{id}/verify`.
 * Without the proof any tenant could verify any real domain, lock its owner out (a domain is verified in at most
 * one tenant) and create users under it.
 */

/** The TXT record that proves `tenantId` controls `domain`. */
export interface DomainProofRecord {
  /** Owner name of the record: the domain itself (its apex), as Entra's `MS=ms…` records. */
  readonly label: string;
  readonly text: string;
}

export interface DomainProof {
  /**
   * Deterministic per (tenant, domain), so every node and every call names the same record, and different for
   * every tenant, so the record the real owner publishes proves nothing for anyone else.
   */
  expectedRecord(tenantId: string, domain: string): DomainProofRecord;
  /**
   * Whether the expected record is published now. False when the name or the record does not exist;
   * `ERR_DNS_UNAVAILABLE` when DNS could not be asked (no answer, refused, server failure).
   */
  isPublished(tenantId: string, domain: string): Promise<boolean>;
}

/** Graph's `domainDnsTxtRecord` for a record (https://learn.microsoft.com/graph/api/resources/domaindnstxtrecord). */
export function domainDnsTxtRecord(id: string, record: DomainProofRecord): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.domainDnsTxtRecord',
    id,
    isOptional: false,
    label: record.label,
    recordType: 'Txt',
    supportedService: 'Email',
    ttl: 3600,
    text: record.text,
  };
}
