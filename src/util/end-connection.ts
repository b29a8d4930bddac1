// Ending a streaming connection (exec, attach, port-forward) from the server side.
import type { Duplex } from 'node:stream';

/**
 * How long the peer has to close its side after ours. Upstream closes the connection
 * outright once the session is over (wsstream's conn.Close, spdystream's Close); ending
 * our side first keeps what is still in flight (the status, the close frame) from being
 * cut by a reset, and the grace bounds how long a peer that never closes holds the socket.
 */
export const connectionCloseGraceMs = 1000;

/** Ends our side now (a FIN after whatever is queued); destroys the socket if the peer has not closed within the grace. */
export function endConnection(socket: Duplex): void {
  if (socket.destroyed) return;
  socket.end();
  const timer = setTimeout(() => socket.destroy(), connectionCloseGraceMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
