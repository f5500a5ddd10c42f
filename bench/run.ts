/**
 * `npm run bench` lists the benchmarks (the first line of each file's header); `npm run bench -- NAME [ARGS…]` runs
 * bench/NAME.ts with ARGS under the same Node, its JSON on stdout as when run directly. Benchmarks assert nothing.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Modules the benchmarks import, not benchmarks themselves. */
const HELPERS = new Set(['run', 'ldapsearch-dump', 'samba-bench-dc']);
const names = readdirSync(here).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).filter((n) => !HELPERS.has(n)).sort();

function summary(name: string): string {
  const header = /\/\*\*([\s\S]*?)\*\//.exec(readFileSync(`${here}${name}.ts`, 'utf8'))?.[1] ?? '';
  const lines = header.split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim());
  const paragraph = lines.slice(lines.findIndex((l) => l !== '')).join(' ').split('  ')[0] ?? '';
  const sentence = /^.*?\.(?=\s|$)/.exec(paragraph)?.[0] ?? paragraph;
  return sentence.length > 110 ? `${sentence.slice(0, 109)}…` : sentence;
}

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h') {
  process.stdout.write(`npm run bench -- NAME [ARGS…]   (results: README.md, "Benchmarks")\n\n`);
  for (const n of names) process.stdout.write(`  ${n.padEnd(18)} ${summary(n)}\n`);
  process.exit(0);
}
if (!names.includes(name)) {
  process.stderr.write(`cloudsync: no benchmark named '${name}'; one of: ${names.join(', ')}\n`);
  process.exit(2);
}
const child = spawn(process.execPath, [`${here}${name}.ts`, ...args], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
