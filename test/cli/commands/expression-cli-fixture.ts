// Runs the expression command as its own program, so tests can check the real exit code and stdout.
import { expressionCommand } from '../../../src/cli/commands/expression.ts';

await expressionCommand().parseAsync(process.argv.slice(2), { from: 'user' });
