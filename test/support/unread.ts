import { connect, Socket } from 'node:net';

/** A connection that sends these GET requests (pipelined) and reads nothing until resumed: paused, its socket stops taking bytes once its small buffer is full. */
export function unreadRequests(port: number, paths: readonly string[], host = '127.0.0.1'): Socket {
  const socket = connect(port, host);
  socket.write(paths.map((path) => `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`).join(''));
  socket.pause();
  return socket;
}
