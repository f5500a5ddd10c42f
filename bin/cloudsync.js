#!/usr/bin/env node
// Sources are TypeScript run directly by Node >= 24 (type stripping); `npx cloudsync` puts the pinned Node first.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`cloudsync needs Node.js 24 or newer (this is ${process.version}); run it as: npx cloudsync …\n`);
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
