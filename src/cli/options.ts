import { CloudsyncError } from '../errors/index.ts';

export function parsePort(text: string, flag = '--port'): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new CloudsyncError('ERR_CLI_USAGE', `${flag} ${text} is not a port number (0–65535)`, { path: flag });
  }
  return port;
}
