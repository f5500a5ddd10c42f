/**
 * `cloudsync server --config FILE`: the server's flags in a JSON file, so that secrets such as the SMTP password
 * (`smtpUrl`) stay out of the process list, where any local user can read a command line.
 *
 *   { "data": "/var/lib/cloudsync", "port": "5480", "smtpUrl": "smtps://relay:…@mail.example.com:465",
 *     "smtpFrom": "cloudsync@example.com" }
 *
 * Keys are the long flags in camelCase (`--smtp-url` → `smtpUrl`); a flag given on the command line wins over the
 * file, the file over the defaults. The file may hold secrets, so it must not be readable by other users (0600),
 * like the bind password file. Unknown keys and wrongly typed values are refused, naming the key.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { CloudsyncError } from '../errors/index.ts';

type FlagValue = string | boolean | string[];

/** Reads FILE and returns the values it sets for options of `command`, keyed by their attribute names. */
export function readServerConfigFile(file: string, command: Command): Record<string, FlagValue> {
  let mode: number;
  let text: string;
  try {
    mode = statSync(file).mode & 0o777;
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CloudsyncError('ERR_CLI_FILE', `the configuration file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { path: '--config', cause: error });
  }
  if ((mode & 0o077) !== 0) {
    throw new CloudsyncError('ERR_CLI_FILE', `${file} is readable by other users (mode ${mode.toString(8)}) and may hold secrets; run: chmod 600 ${file}`, { path: '--config' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CloudsyncError('ERR_CLI_FILE', `${file} is not JSON: ${(error as Error).message}`, { path: '--config', cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CloudsyncError('ERR_CLI_FILE', `${file} must hold one JSON object of flags, e.g. {"port": "5480"}`, { path: '--config' });
  }
  const options = new Map(command.options.filter((o) => o.long !== '--config').map((o) => [o.attributeName(), o]));
  const values: Record<string, FlagValue> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const option = options.get(key);
    if (option === undefined) {
      throw new CloudsyncError('ERR_CLI_FILE', `${file}: ${key} is not a flag of cloudsync server (keys are the long flags in camelCase, e.g. smtpUrl)`, { path: key });
    }
    const expected = option.variadic || option.defaultValue instanceof Array ? 'array' : option.required || option.optional ? 'string' : 'boolean';
    const ok = expected === 'array' ? Array.isArray(value) && value.every((v) => typeof v === 'string')
      : expected === 'string' ? typeof value === 'string' || typeof value === 'number'
      : typeof value === 'boolean';
    if (!ok) throw new CloudsyncError('ERR_CLI_FILE', `${file}: ${key} must be ${expected === 'array' ? 'an array of strings' : expected === 'string' ? 'a string' : 'true or false'}`, { path: key });
    values[key] = typeof value === 'number' ? String(value) : (value as FlagValue);
  }
  return values;
}

/** The command's options with the file's values under the command line's: flags given explicitly win. */
export function withConfigFile<T extends object>(command: Command, options: T, file: string | undefined): T {
  if (file === undefined) return options;
  const fromFile = readServerConfigFile(file, command);
  const merged = { ...options } as Record<string, unknown>;
  for (const [key, value] of Object.entries(fromFile)) {
    if (command.getOptionValueSource(key) !== 'cli') merged[key] = value;
  }
  return merged as T;
}
