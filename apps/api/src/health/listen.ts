import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listener could not bind; the message names the setting to change (no stack needed to act on it). */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

/** Which listener, and the environment variables of its host and port (for the message of a failed bind). */
export interface ListenerName {
  what: string;
  hostKey: string;
  portKey: string;
}

function bindFailure(err: NodeJS.ErrnoException, host: string, port: number, { what, hostKey, portKey }: ListenerName): Error {
  const address = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new ListenError(`the ${what} port ${port} (${address}) is already in use by another process: set ${portKey} to a free port (0 picks one)`);
    case 'EACCES':
      return new ListenError(`the ${what} port ${port} (${address}) needs privileges this process does not have: set ${portKey} to a port above 1023`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ListenError(`the ${what} host ${host} is not an address of this machine: set ${hostKey} (e.g. 127.0.0.1 or 0.0.0.0)`);
    default:
      return err;
  }
}

/** Binds a server; resolves with the port actually bound, or rejects with a ListenError naming the key to change. */
export async function listen(server: Server, host: string, port: number, name: ListenerName): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(bindFailure(err, host, port, name));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
