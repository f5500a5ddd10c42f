#!/usr/bin/env -S node --max-old-space-size=256
// The heap cap keeps the service within its memory budget (512 MB resident during a 200,000-object sync, see
// bench/engine-ldap.ts, which starts its synchronizing process with the flags of this line). Without it V8 lets
// the old generation fill with dead batches before collecting. Larger: node --max-old-space-size=N bin/cloudsync.js.
// Sources are TypeScript run directly by Node >= 24 (type stripping); `npx cloudsync` puts the pinned Node first.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`cloudsync needs Node.js 24 or newer (this is ${process.version}); run it as: npx cloudsync …\n`);
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
