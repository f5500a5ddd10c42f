import { isErrorCode, type ErrorCode } from './codes.ts';

/**
 * Where in the user's input a problem is. `path` names the field (`mappings[3].expression`, `$filter`,
 * `--attributes`); `position` is a 0-based character offset into that field's text when the field is text.
 */
export interface ErrorLocation {
  readonly path?: string;
  readonly position?: number;
}

/**
 * The one error type for bad input and failing peers. Its message is written for the person who caused it:
 * it says what is wrong and where, never how our code is laid out. Anything thrown that is not a
 * CloudsyncError is a bug of ours and must not reach a user as it is.
 */
export class CloudsyncError extends Error {
  override readonly name = 'CloudsyncError';
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly position: number | undefined;
  /** Safe-to-show extra facts (the conflicting object's id, the allowed values, …). Never secrets. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: ErrorLocation & { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    if (!isErrorCode(code)) throw new TypeError(`unknown error code ${String(code)}`);
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.position = options.position;
    this.details = options.details;
  }

  toJSON(): { code: ErrorCode; message: string; path?: string; position?: number; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.position === undefined ? {} : { position: this.position }),
      ...(this.details === undefined ? {} : { details: { ...this.details } }),
    };
  }
}

export function isCloudsyncError(value: unknown): value is CloudsyncError {
  return value instanceof CloudsyncError;
}
