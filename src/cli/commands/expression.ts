/**
 * `cloudsync expression eval|check|functions`: try a mapping expression the way the portal's "Test
 * expression" does, without a server.
 *
 *   cloudsync expression eval --expression 'Join(" ", [givenName], [sn])' --attributes '{"givenName":"John","sn":"Doe"}'
 *   {"value":"John Doe"}
 *
 * Output is one JSON document on stdout: `{"value": …}` (or `{"ignoreFlow": true}`) and exit 0, or
 * `{"error": {"code", "message", "position"?, "path"?}}` and exit 1. Values render as in
 * src/expressions/json-value.ts; in --attributes a string starting "base64:" is binary, {"dn": "…"} is a DN
 * reference, and integers beyond 2^53 are read exactly.
 */
import { Command } from 'commander';
import {
  attributeSource,
  checkExpression,
  listFunctions,
  printExpression,
  valueFromJson,
  valueToJson,
  type EvaluationContext,
  type Value,
} from '../../expressions/index.ts';
import { CloudsyncError, isCloudsyncError } from '../../errors/index.ts';

export interface ExpressionCommandIo {
  stdout(text: string): void;
  setExitCode(code: number): void;
}

const PROCESS_IO: ExpressionCommandIo = {
  stdout: (text) => void process.stdout.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

export function expressionCommand(io: ExpressionCommandIo = PROCESS_IO): Command {
  const command = new Command('expression').description('evaluate and check attribute-mapping expressions (Entra syntax)');

  command
    .command('eval')
    .description('evaluate an expression against attribute values; prints {"value": …}')
    .requiredOption('-e, --expression <expression>', 'the expression, e.g. \'Join(" ", [givenName], [sn])\'')
    .option('-a, --attributes <json>', 'JSON object: attribute name → value or array of values ("base64:…" = binary, {"dn":"…"} = reference)', '{}')
    .option('--now <iso8601>', 'fix the clock for Now() and date functions')
    .action((options: { expression: string; attributes: string; now?: string }) => {
      report(io, () => {
        const attributes = parseAttributes(options.attributes);
        const checked = checkExpression(options.expression);
        if (!checked.ok) throw checked.errors[0] as CloudsyncError;
        const context: Partial<EvaluationContext> = {};
        if (options.now !== undefined) {
          const now = new Date(options.now);
          if (Number.isNaN(now.getTime())) throw new CloudsyncError('ERR_CLI_USAGE', `--now must be an ISO 8601 date-time, got ${JSON.stringify(options.now)}`, { path: '--now' });
          context.now = () => new Date(now.getTime());
        }
        const result = checked.compiled.evaluate(attributeSource(attributes), context);
        const redacted = checked.compiled.redacted ? { redacted: true } : {};
        return result.kind === 'ignoreFlow' ? { ignoreFlow: true, ...redacted } : { value: valueToJson(result.value), ...redacted };
      });
    });

  command
    .command('check')
    .description('check an expression without evaluating it; prints its canonical form and the attributes it reads')
    .argument('<expression>', 'the expression to check')
    .action((expression: string) => {
      report(io, () => {
        const checked = checkExpression(expression);
        if (!checked.ok) {
          const [first] = checked.errors;
          const error = first as CloudsyncError;
          Object.defineProperty(error, 'all', { value: checked.errors, enumerable: false });
          throw error;
        }
        return { ok: true, expression: printExpression(checked.compiled.ast), attributes: checked.compiled.attributes };
      });
    });

  command
    .command('functions')
    .description('list the expression functions with their syntax')
    .action(() => {
      report(io, () => ({ functions: listFunctions().map((fn) => ({ name: fn.name, syntax: fn.syntax, summary: fn.summary })) }));
    });

  return command;
}

function report(io: ExpressionCommandIo, run: () => unknown): void {
  try {
    io.stdout(`${JSON.stringify(run())}\n`);
  } catch (error) {
    if (!isCloudsyncError(error)) throw error;
    const all = (error as CloudsyncError & { all?: readonly CloudsyncError[] }).all;
    const body: Record<string, unknown> = { error: errorJson(error) };
    if (all !== undefined && all.length > 1) body['errors'] = all.map(errorJson);
    io.stdout(`${JSON.stringify(body)}\n`);
    io.setExitCode(1);
  }
}

function errorJson(error: CloudsyncError): Record<string, unknown> {
  const { code, message, position, path } = error.toJSON();
  return { code, message, ...(position === undefined ? {} : { position }), ...(path === undefined ? {} : { path }) };
}

/** Parses --attributes, reading integers beyond 2^53 exactly (JSON.parse's source-text access). */
export function parseAttributes(text: string): Record<string, Value> {
  let json: unknown;
  try {
    json = JSON.parse(text, function exactIntegers(this: unknown, _key: string, value: unknown, context?: { source?: string }) {
      if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)) {
        return BigInt(context.source);
      }
      return value;
    } as (this: unknown, key: string, value: unknown) => unknown);
  } catch (error) {
    const position = jsonErrorPosition(text, error);
    throw new CloudsyncError(
      'ERR_CLI_USAGE',
      `--attributes is not valid JSON at position ${position}: ${(error as Error).message}. Example: --attributes '{"givenName":"John","proxyAddresses":["SMTP:a@x.com"]}'`,
      { path: '--attributes', position },
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new CloudsyncError('ERR_CLI_USAGE', '--attributes must be a JSON object mapping attribute names to values, e.g. \'{"mail":"a@contoso.com"}\'', { path: '--attributes', position: 0 });
  }
  const record: Record<string, Value> = {};
  for (const [name, value] of Object.entries(json)) {
    try {
      record[name] = valueFromJson(value, name);
    } catch (error) {
      if (!isCloudsyncError(error)) throw error;
      throw new CloudsyncError('ERR_CLI_USAGE', `--attributes: ${error.message}`, { path: '--attributes' });
    }
  }
  return record;
}

/** V8 names the position in most JSON errors ("… at position 7"); otherwise find it by scanning. */
function jsonErrorPosition(text: string, error: unknown): number {
  const match = /position (\d+)/.exec((error as Error)?.message ?? '');
  if (match !== null) return Number(match[1]);
  return scanJson(text);
}

/** Offset of the first JSON syntax error in text (text.length when it ends too early). */
function scanJson(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') {
      string();
    } else {
      const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i));
      if (literal === null) fail();
      i += (literal as RegExpExecArray)[0].length;
    }
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if ((text.charCodeAt(i)) < 0x20) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    return i < text.length ? i : text.length;
  } catch (position) {
    return Math.min(position as number, text.length);
  }
}
