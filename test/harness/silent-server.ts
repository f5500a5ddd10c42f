/**
 * A TCP server on 127.0.0.1 that accepts connections and never answers: a directory server that hangs after the
 * handshake (overloaded, half-dead, a firewall that lets SYN through). What timeouts and failover are tested against.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface SilentServer {
  readonly port: number;
  /** destroys the connections it holds, then stops listening */
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => { sockets.push(socket); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
