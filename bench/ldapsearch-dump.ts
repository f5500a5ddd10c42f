/**
 * The baseline the engine issue measures against: a plain paged `ldapsearch -E pr=1000/noprompt` dump of the same
 * entries and attributes, counting the entries of its LDIF on stdout. Shared by the benchmarks that compare with it.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export async function ldapsearchDump(argv: readonly string[]): Promise<{ ms: number; entries: number }> {
  const t0 = performance.now();
  const child = spawn('ldapsearch', ['-LLL', '-o', 'ldif-wrap=no', '-E', 'pr=1000/noprompt', ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  let entries = 0;
  let tail = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (tail + chunk).split('\n');
    tail = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('dn:')) entries++;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`ldapsearch exited with ${code}`);
  return { ms: performance.now() - t0, entries };
}
