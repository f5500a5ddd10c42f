import { Command, CommanderError } from 'commander';
import { describeError } from './report-error.ts';
import { loginCommand } from './commands/login.ts';
import { serverCommand } from './commands/server.ts';
import { tenantCommand } from './commands/tenant.ts';
import { demoCommand } from './commands/demo.ts';
import { expressionCommand } from './commands/expression.ts';
import { configCommand } from './commands/config.ts';
import { domainCommand } from './commands/domain.ts';
import { agentCommand } from './commands/agent.ts';
import { logsCommand } from './commands/logs.ts';
import { provisionCommand } from './commands/provision.ts';

export function buildProgram(): Command {
  const program = new Command('cloudsync')
    .description('hybrid-identity sync: Active Directory / LDAP to a cloud directory with a Graph-compatible API')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const command of [serverCommand(), tenantCommand(), domainCommand(), loginCommand(), configCommand(), agentCommand(), provisionCommand(), logsCommand(), demoCommand(), expressionCommand()]) {
    program.addCommand(command);
  }
  // Subcommands inherit exitOverride only when set before they are added; set it on the whole tree.
  const forEach = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(forEach);
  };
  forEach(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[], { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its one-line message (or the help / version text).
      return error.exitCode;
    }
    process.stderr.write(describeError(error) + '\n');
    return 1;
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  if (code !== 0) process.exitCode = code;
}
