/**
 * The one place we reach into ldapts: its MessageParser turns every LDAP message into a Message object in
 * `_getMessageFromProtocolOperation(messageId, protocolOperation, reader, request)` (private in its typings), and two
 * of our modules need a say there — search-entry-decoding.ts (entries parsed without ldapts' failing UTF-8 attempts)
 * and content-sync.ts (RFC 4533's IntermediateResponse, which ldapts refuses). Each wraps what was there before it.
 *
 * What could go wrong: a later ldapts without that method, or with another signature. Then nothing is wrapped, the
 * caller is told (false) and goes without its feature, and the tests of both modules fail so that the upgrade notices.
 */
import type { BerReader, Client, Message } from 'ldapts';

export type MessageFactory = (messageId: number, protocolOperation: number, reader: BerReader, request: Message | undefined) => Message;

/** Replaces `client`'s message factory by `hook(previous)`; false (and nothing changed) when ldapts has none. */
export function hookMessageParser(client: Client, hook: (previous: MessageFactory) => MessageFactory): boolean {
  const parser = (client as unknown as { messageParser?: { _getMessageFromProtocolOperation?: unknown } }).messageParser;
  const previous = parser?._getMessageFromProtocolOperation;
  if (parser === undefined || typeof previous !== 'function' || previous.length !== 4) return false;
  parser._getMessageFromProtocolOperation = hook((previous as MessageFactory).bind(parser));
  return true;
}
