/**
 * The synchronization secrets of a configuration (Graph: `PUT /servicePrincipals/{id}/synchronization/secrets`,
 * a collection of synchronizationSecretKeyStringValuePair). Cloud Sync uses:
 *
 *   Domain                    {"domain":"corp.example.com"}
 *   AppKey                    {"appKeyScenario":"AD2AADProvisioning" | "AD2AADPasswordHash"}
 *   SyncNotificationSettings  {"Enabled":true,"Recipients":"admin@contoso.com","DeleteThresholdEnabled":true,
 *                              "DeleteThresholdValue":500}
 *
 * Secrets are write-only: no route returns them. At rest they are sealed with AES-256-GCM under a key only the
 * service holds (the configuration row's domain and password-hash-sync flag are kept in clear because the
 * unique index and `config list` need them).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { CloudsyncError } from '../errors/index.ts';

export const KNOWN_SECRET_KEYS = ['Domain', 'AppKey', 'SyncNotificationSettings', 'UserName', 'Password'] as const;
export const APP_KEY_SCENARIOS = ['AD2AADProvisioning', 'AD2AADPasswordHash'] as const;

export type Secrets = Readonly<Record<string, string>>;

/** What the secrets say about the configuration, extracted (and checked) when they are written. */
export interface SecretFacts {
  readonly domain: string | undefined;
  readonly passwordHashSync: boolean | undefined;
}

function invalid(message: string, path: string): CloudsyncError {
  return new CloudsyncError('ERR_SYNC_CONFIG_INVALID', message, { path });
}

/** `{"value":[{"key":…,"value":…}]}` → key → value. Keys are matched case-insensitively to Graph's names. */
export function parseSecretsBody(body: unknown): Secrets {
  const value = (body as { value?: unknown } | null)?.value;
  if (body === null || typeof body !== 'object' || !Array.isArray(value)) {
    throw invalid('The body must be {"value":[{"key":"Domain","value":"{\\"domain\\":\\"corp.example.com\\"}"}, …]}.', 'value');
  }
  const secrets: Record<string, string> = {};
  value.forEach((item: unknown, index) => {
    const path = `value[${index}]`;
    const { key, value: text } = (item ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || key.trim() === '') throw invalid(`${path}.key must be a non-empty string.`, `${path}.key`);
    if (typeof text !== 'string') throw invalid(`${path}.value must be a string (JSON text for Domain, AppKey and SyncNotificationSettings).`, `${path}.value`);
    const name = KNOWN_SECRET_KEYS.find((known) => known.toLowerCase() === key.toLowerCase()) ?? key;
    secrets[name] = text;
  });
  for (const [name, text] of Object.entries(secrets)) {
    const index = value.findIndex((item: unknown) => String((item as { key?: unknown }).key).toLowerCase() === name.toLowerCase());
    checkSecret(name, text, `value[${index}].value`);
  }
  return secrets;
}

function jsonOf(text: string, path: string, example: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(`${path} must be JSON text such as ${example}.`, path);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid(`${path} must be a JSON object such as ${example}.`, path);
  return parsed as Record<string, unknown>;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function checkSecret(name: string, text: string, path: string): void {
  if (name === 'Domain') {
    const domain = jsonOf(text, path, '{"domain":"corp.example.com"}')['domain'];
    if (typeof domain !== 'string' || !DNS_NAME.test(domain)) {
      throw invalid(`${path}: "domain" must be the DNS name of the AD domain, e.g. corp.example.com; got ${JSON.stringify(domain)}.`, path);
    }
  } else if (name === 'AppKey') {
    const scenario = jsonOf(text, path, '{"appKeyScenario":"AD2AADProvisioning"}')['appKeyScenario'];
    if (typeof scenario !== 'string' || !(APP_KEY_SCENARIOS as readonly string[]).includes(scenario)) {
      throw invalid(`${path}: "appKeyScenario" must be one of ${APP_KEY_SCENARIOS.join(', ')}; got ${JSON.stringify(scenario)}.`, path);
    }
  } else if (name === 'SyncNotificationSettings') {
    const settings = jsonOf(text, path, '{"Enabled":true,"Recipients":"admin@contoso.com"}');
    for (const flag of ['Enabled', 'DeleteThresholdEnabled']) {
      if (settings[flag] !== undefined && typeof settings[flag] !== 'boolean') throw invalid(`${path}: "${flag}" must be true or false.`, path);
    }
    if (settings['Recipients'] !== undefined && typeof settings['Recipients'] !== 'string') throw invalid(`${path}: "Recipients" must be a string of addresses.`, path);
    const threshold = settings['DeleteThresholdValue'];
    if (threshold !== undefined && !(Number.isInteger(Number(threshold)) && Number(threshold) >= 0)) {
      throw invalid(`${path}: "DeleteThresholdValue" must be a whole number of objects, 0 or more.`, path);
    }
  }
}

export function secretFacts(secrets: Secrets): SecretFacts {
  const domain = secrets['Domain'] === undefined ? undefined : String((JSON.parse(secrets['Domain']) as { domain: string }).domain).toLowerCase();
  const scenario = secrets['AppKey'] === undefined ? undefined : (JSON.parse(secrets['AppKey']) as { appKeyScenario: string }).appKeyScenario;
  return { domain, passwordHashSync: scenario === undefined ? undefined : scenario === 'AD2AADPasswordHash' };
}

// ---- sealing ----------------------------------------------------------------------------------------------------

const SEAL_VERSION = 'v1';

/**
 * The key that seals secrets, derived (HKDF-SHA256) from a deployment secret the service already keeps, e.g. the
 * token-signing key's private scalar. Anyone holding the whole database also holds that; what sealing buys is
 * that the secrets never sit in clear in a row, a dump of one table, a log line or an API answer.
 */
export function deriveSecretsKey(deploymentSecret: string | Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', deploymentSecret, 'cloudsync', 'synchronization-secrets v1', 32));
}

export function sealSecrets(secrets: Secrets, key: Uint8Array, context: string): string {
  if (key.length !== 32) throw new TypeError('the secrets key must be 32 bytes');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return [SEAL_VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join('.');
}

/** `context` (tenant and principal ids) is bound in, so a sealed value copied to another row does not open. */
export function openSecrets(sealed: string, key: Uint8Array, context: string): Secrets {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== SEAL_VERSION || iv === undefined || tag === undefined || data === undefined) throw new TypeError('not a sealed secrets value');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  const text = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  return Object.freeze(JSON.parse(text) as Record<string, string>);
}
