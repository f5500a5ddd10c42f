/**
 * The SMTP addresses an object claims: `mail` plus every `smtp:`/`SMTP:` entry of proxyAddresses, lower-cased
 * without the prefix. Entra forbids two objects of a tenant sharing one (proxy address conflict); one object may
 * repeat an address (mail is normally also its primary SMTP proxy address). Other address types (x500:, sip:)
 * are not SMTP addresses and may repeat.
 */
export function smtpAddressesOf(data: Readonly<Record<string, unknown>>): string[] {
  const addresses = new Set<string>();
  const mail = data['mail'];
  if (typeof mail === 'string' && mail !== '') addresses.add(mail.toLowerCase());
  const proxies = data['proxyAddresses'];
  if (Array.isArray(proxies)) {
    for (const proxy of proxies) {
      if (typeof proxy === 'string' && /^smtp:/i.test(proxy) && proxy.length > 5) addresses.add(proxy.slice(5).toLowerCase());
    }
  }
  return [...addresses];
}
