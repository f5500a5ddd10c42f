export { ERROR_CODES, isErrorCode, type ErrorCode } from './codes.ts';
export { CloudsyncError, isCloudsyncError, type ErrorLocation } from './cloudsync-error.ts';
