import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FetchHandler } from '../handler';

/**
 * `node:http` in front of the fetch handler: each IncomingMessage becomes a web Request whose body is
 * streamed (so the handler's size cap applies while reading), and the Response is written back.
 *
 * A body the handler stops reading (a 413) or never reads (a 404, 415) is drained and discarded after
 * the answer, as servers do with a "lingering close": a client that writes its whole upload before
 * reading gets the JSON error instead of a broken pipe, and the connection stays usable. Draining is
 * bounded: past DRAIN_LIMIT_BYTES the connection is dropped.
 */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

interface StreamedBody {
  readonly stream: ReadableStream<Uint8Array>;
  /** Stop delivering and discard the rest of the body. */
  drain(): void;
}

function streamedBody(request: IncomingMessage): StreamedBody {
  let draining = false;
  let discarded = 0;
  const drain = () => {
    draining = true;
    request.resume();
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      request.on('data', (chunk: Buffer) => {
        if (draining) {
          discarded += chunk.byteLength;
          if (discarded > DRAIN_LIMIT_BYTES) request.destroy();
          return;
        }
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) request.pause();
      });
      request.on('end', () => {
        if (!draining) controller.close();
      });
      request.on('error', (error) => {
        if (!draining) controller.error(error);
      });
    },
    pull() {
      request.resume();
    },
    cancel: drain,
  });
  return { stream, drain };
}

function toRequest(request: IncomingMessage, body: StreamedBody | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  // Only the path matters to the handler; the Host header is the client's and may be anything.
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  return new Request(url, { method: request.method ?? 'GET', headers, ...(body ? { body: body.stream, duplex: 'half' } : {}) } as RequestInit);
}

async function writeResponse(response: Response, out: ServerResponse): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  out.writeHead(response.status, { ...Object.fromEntries(response.headers), 'content-length': String(body.byteLength) });
  out.end(body);
}

/** A listener for `http.createServer` that serves `handler`; it never throws. */
export function nodeListener(handler: FetchHandler): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    response.on('error', () => undefined); // a client that went away: nothing left to answer
    const fail = () => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      response.end('{"error":{"code":"E_INTERNAL","message":"internal error"}}');
    };
    const method = request.method ?? 'GET';
    const body = method === 'GET' || method === 'HEAD' ? undefined : streamedBody(request);
    let web: Request;
    try {
      web = toRequest(request, body);
    } catch {
      fail();
      return;
    }
    handler(web)
      .then((answer) => writeResponse(answer, response))
      .catch(fail)
      .finally(() => {
        if (!request.complete) body?.drain();
      });
  };
}

/** An http.Server for the handler, with malformed HTTP answered 400 instead of being dropped silently. */
export function createNodeServer(handler: FetchHandler): Server {
  const server = createServer(nodeListener(handler));
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}
