#!/usr/bin/env -S node --max-old-space-size=256 --no-allocation-site-pretenuring
// The heap cap keeps the service within its memory budget (512 MB resident during a 200,000-object sync, see
// bench/engine-ldap.ts, which starts its synchronizing process with the flags of this line). Without it V8 lets
// the old generation fill with dead batches before collecting. Larger: node --max-old-space-size=N
// --no-allocation-site-pretenuring bin/cloudsync.js (a command line instead of this line keeps none of its flags).
// No pretenuring: a batch's objects (mapped values, rows, log entries) live about as long as two batches, so many
// survive one scavenge, and V8 then decides their allocation sites make long-lived objects and allocates them in
// the old generation directly, where they die: a 200,000-user sync ran 43 mark-compacts and V8's helper threads
// (concurrent marking, sweeping) took 11-12% of both cores. Without it 6 and 5.9%, and the sync's user CPU fell
// from 12.6-13.4 s to 10.2-11.3 s (docs/engine.md, session 7).
// Sources are TypeScript run directly by Node >= 24 (type stripping); `npx cloudsync` puts the pinned Node first.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`cloudsync needs Node.js 24 or newer (this is ${process.version}); run it as: npx cloudsync …\n`);
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
