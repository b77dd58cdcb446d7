/**
 * Listening for the commands that serve (serve, demo): a port another process holds, or one this user may
 * not open, is a usage error that names the fix, not an internal error; the demo asks before it trains.
 */
import { createServer } from 'node:net';
import { serveNode } from '@unfold/edge/node';
import { UsageError } from './usage-error';

type ServeNodeOptions = Parameters<typeof serveNode>[0];

function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'EADDRINUSE') return new UsageError(`port ${port} on ${host} is in use`, 'pick another with --port <n>, or --port 0 for a free one');
  if (code === 'EACCES') return new UsageError(`no permission to listen on port ${port} on ${host}`, 'use a port above 1023, or --port 0 for a free one');
  if (code === 'EADDRNOTAVAIL') return new UsageError(`${host} is not an address of this machine`, 'pass --host 127.0.0.1 (or an address this machine has)');
  return error;
}

/** serveNode with the listening errors above as usage errors. */
export async function serveOnPort(options: ServeNodeOptions & { readonly host: string; readonly port: number }): ReturnType<typeof serveNode> {
  try {
    return await serveNode(options);
  } catch (error) {
    throw listenError(error, options.host, options.port);
  }
}

/** Throws the usage error serveOnPort would, now: for a command that works a while before it listens. */
export function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', (error) => fail(listenError(error, host, port)));
    probe.listen(port, host, () => probe.close(() => done()));
  });
}
