/**
 * What an agent keeps between runs, in its state directory (`--state DIR`, mode 0700): `agent.json` (mode 0600) with
 * its id, its tenant, the service it registered with, and its Ed25519 key pair. The private key never leaves this
 * file; the service has only the public half. Watermarks are not here: they live in the service's connector space,
 * so a restarted (or replaced) agent resumes where the service stands.
 *
 * The registration token is not kept either, only its hash — to tell "the same token again" (already registered:
 * nothing to do) from "a new token" (register again, with a new key, as a new agent).
 */
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { CloudsyncError } from '../errors/index.ts';
import { hashRegistrationToken } from '../agents/agent-store.ts';

export const STATE_FILE = 'agent.json';

export interface AgentState {
  readonly service: string;
  readonly agentId: string;
  readonly tenantId: string;
  readonly registrationTokenHash: string;
  readonly publicKey: JWK;
  readonly privateKey: JWK;
  readonly registeredDateTime: string;
}

/** Creates the directory (0700) or checks an existing one is closed to other users. */
export async function prepareStateDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  if (!info.isDirectory()) throw new CloudsyncError('ERR_AGENT_STATE', `--state ${dir}: not a directory`, { path: '--state' });
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

export async function readAgentState(dir: string): Promise<AgentState | undefined> {
  const file = join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CloudsyncError('ERR_AGENT_STATE', `${file}: cannot read it (${(error as NodeJS.ErrnoException).code})`, { path: '--state' });
  }
  const mode = (await stat(file)).mode;
  if ((mode & 0o077) !== 0) {
    throw new CloudsyncError('ERR_AGENT_STATE', `${file} holds the agent's private key and is readable by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${file}`, { path: '--state' });
  }
  try {
    const state = JSON.parse(text) as AgentState;
    if (typeof state.agentId !== 'string' || typeof state.service !== 'string' || typeof state.privateKey !== 'object') throw new Error('fields');
    return state;
  } catch {
    throw new CloudsyncError('ERR_AGENT_STATE', `${file} is not an agent state file; move it away and register again with a new token`, { path: '--state' });
  }
}

/** Written to a temporary file (0600) and renamed over the old one, so a crash never leaves half a key. */
export async function writeAgentState(dir: string, state: AgentState): Promise<void> {
  const file = join(dir, STATE_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

export function sameRegistrationToken(state: AgentState, token: string): boolean {
  return state.registrationTokenHash === hashRegistrationToken(token);
}
