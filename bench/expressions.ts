/**
 * Expression evaluation throughput on one core: compiled mappings evaluated against in-memory objects.
 * Target (issue §1): ≥ 1,000,000 simple mappings per second. Prints JSON.
 *
 *   npx node bench/expressions.ts [--seconds 1]
 */
import { attributeSource, compileExpression, fixedContext, type EvaluationContext, type Value } from '../src/expressions/index.ts';

const MAPPINGS = {
  attribute: '[displayName]',
  toLower: 'ToLower([mail])',
  join: 'Join(" ", [givenName], [sn])',
  iif: 'IIF([country]="USA",[country],[department])',
  switch: 'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")',
  nested: 'ToLower(Join("@", StripSpaces(Join(".", [givenName], [sn])), "contoso.com"))',
} as const;
const SIMPLE: readonly (keyof typeof MAPPINGS)[] = ['attribute', 'toLower', 'join'];

const secondsArg = process.argv.indexOf('--seconds');
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 1;

const OBJECTS = Array.from({ length: 1024 }, (_, i) => {
  const record: Record<string, Value> = {
    displayName: `User ${i}`,
    mail: `User.${i}@Contoso.COM`,
    givenName: `Given${i}`,
    sn: `Surname ${i % 97}`,
    country: i % 3 === 0 ? 'USA' : 'France',
    department: 'Sales',
    state: ['NSW', 'QLD', 'SA', 'VIC'][i % 4] as string,
  };
  return attributeSource(record);
});

const ENGINE_CONTEXT = fixedContext();

function measure(expression: string, context?: EvaluationContext): { perSecond: number; evaluations: number } {
  const compiled = compileExpression(expression);
  let sink = 0;
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const result = compiled.evaluate(OBJECTS[i & 1023] as (typeof OBJECTS)[number], context);
      if (result.kind === 'value' && typeof result.value === 'string') sink += result.value.length;
    }
  };
  run(200_000); // warm-up: let the JIT settle
  let evaluations = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    run(50_000);
    evaluations += 50_000;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === 0) throw new Error('benchmark produced no output');
  return { perSecond: Math.round(evaluations / elapsed), evaluations };
}

const results: Record<string, { expression: string; perSecond: number; evaluations: number }> = {};
for (const [name, expression] of Object.entries(MAPPINGS)) results[name] = { expression, ...measure(expression) };
// As the engine calls it: a context passed with every evaluation.
results['joinWithContext'] = { expression: MAPPINGS.join, ...measure(MAPPINGS.join, ENGINE_CONTEXT) };

const simple = SIMPLE.map((name) => (results[name] as { perSecond: number }).perSecond);
const simpleHarmonic = Math.round(simple.length / simple.reduce((sum, r) => sum + 1 / r, 0));
console.log(JSON.stringify({
  benchmark: 'expressions',
  node: process.version,
  secondsPerMapping: seconds,
  results,
  simpleMappingsPerSecond: simpleHarmonic,
  target: 1_000_000,
  meetsTarget: simpleHarmonic >= 1_000_000,
}, null, 2));
