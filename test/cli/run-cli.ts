/**
 * Runs the real CLI (`src/cli/main.ts`) as a separate process, as a user's shell would, and collects what it
 * printed. With `tty`, util-linux script(1) gives it a pseudo-terminal, so interactive paths (confirmations) run
 * for real.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export const CLI_MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Added to (and overriding) this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to the CLI's standard input; without it stdin is closed. */
  readonly input?: string;
  readonly tty?: boolean;
}

export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const argv = [CLI_MAIN, ...args];
  const quoted = [process.execPath, ...argv].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const [command, commandArgs] = options.tty === true ? ['script', ['-qec', quoted, '/dev/null']] : [process.execPath, argv];
  const child = spawn(command as string, commandArgs as string[], {
    env: { ...process.env, ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined && options.tty === true) {
    // Keep the terminal's input open until the CLI is done: an early end-of-file could reach it before its prompt.
    child.stdin!.write(options.input);
    child.on('exit', () => child.stdin!.end());
  } else if (options.input !== undefined) child.stdin!.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
