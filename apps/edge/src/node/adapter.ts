import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { methodNotAllowed, type FetchHandler } from '../handler';
import { errorResponse } from '../responses';
import { idleCollector } from './idle-gc';

/** Methods the Fetch API will not put in a Request (it throws): answered 405 before the handler. */
const FORBIDDEN_METHODS = ['TRACE', 'TRACK', 'CONNECT'];

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
      // A client that goes away mid-body: without this the handler would wait for the rest forever.
      request.on('close', () => {
        if (!request.complete && !draining) controller.error(new Error('the client closed the connection mid-body'));
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

/**
 * Writes the answer; a client that has not taken all of it `writeTimeoutMs` later (a reader that does not
 * read keeps the answer buffered in this process) loses the connection, which frees the buffer.
 */
async function writeResponse(response: Response, out: ServerResponse, writeTimeoutMs: number): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  out.writeHead(response.status, { ...Object.fromEntries(response.headers), 'content-length': String(body.byteLength) });
  const timer = setTimeout(() => out.destroy(), writeTimeoutMs);
  timer.unref?.();
  out.on('finish', () => clearTimeout(timer));
  out.on('close', () => clearTimeout(timer));
  out.end(body);
}

/** Writes a web Response the handler never saw (a method the Fetch API refuses to build a Request for). */
function answerDirectly(response: Response, out: ServerResponse, writeTimeoutMs: number, close: boolean): void {
  if (close) response.headers.set('connection', 'close');
  writeResponse(response, out, writeTimeoutMs).catch(() => out.destroy());
}

/** Options of the Node server in front of the handler. */
export interface NodeServerOptions {
  /** Milliseconds a client has to take an answer before the connection is dropped (default 10,000: maxWriteMs). */
  readonly writeTimeoutMs?: number;
  /** Milliseconds a client has to send a whole request, headers and body (default 30,000). */
  readonly requestTimeoutMs?: number;
  /** Milliseconds without a request in flight, after activity, between the collections that give memory back (idle-gc.ts; default 1,000). */
  readonly releaseMemoryAfterMs?: number;
}

const DEFAULT_WRITE_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_RELEASE_MEMORY_AFTER_MS = 1000;

/** A listener for `http.createServer` that serves `handler`; it never throws. */
export function nodeListener(handler: FetchHandler, options: NodeServerOptions = {}): (request: IncomingMessage, response: ServerResponse) => void {
  const writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
  const idle = idleCollector(options.releaseMemoryAfterMs ?? DEFAULT_RELEASE_MEMORY_AFTER_MS);
  return (request, response) => {
    idle.begin();
    response.once('close', () => idle.end()); // answered, failed or dropped: the request is over
    response.on('error', () => undefined); // a client that went away: nothing left to answer
    const fail = () => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      response.end('{"error":{"code":"E_INTERNAL","message":"internal error"}}');
    };
    const method = (request.method ?? 'GET').toUpperCase();
    // The Fetch API refuses to build a Request for TRACE, TRACK and CONNECT: they are answered here, as the
    // handler answers every other method it does not serve (405), and the connection is closed.
    if (FORBIDDEN_METHODS.includes(method)) {
      request.resume();
      answerDirectly(methodNotAllowed('GET, POST', method), response, writeTimeoutMs, true);
      return;
    }
    const body = method === 'GET' || method === 'HEAD' ? undefined : streamedBody(request);
    let web: Request;
    try {
      web = toRequest(request, body);
    } catch {
      request.resume();
      answerDirectly(errorResponse({ code: 'E_METHOD', message: 'a request this server cannot read', expected: 'GET or POST' }, { allow: 'GET, POST' }), response, writeTimeoutMs, true);
      return;
    }
    handler(web)
      .then((answer) => writeResponse(answer, response, writeTimeoutMs))
      .catch(fail)
      .finally(() => {
        if (!request.complete) body?.drain();
      });
  };
}

/**
 * An http.Server for the handler, with malformed HTTP answered 400 instead of being dropped silently,
 * CONNECT answered 405 (node:http hands it to a `connect` listener, not to the request listener), and a
 * whole request bounded in time (`requestTimeoutMs`, slow uploads included).
 */
export function createNodeServer(handler: FetchHandler, options: NodeServerOptions = {}): Server {
  const server = createServer(nodeListener(handler, options));
  server.requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(server.requestTimeout, 20_000);
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.on('connect', (_request, socket) => {
    const body = '{"error":{"code":"E_METHOD","message":"use GET, POST here","expected":"GET, POST","got":"CONNECT"}}';
    socket.on('error', () => undefined);
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\nallow: GET, POST\r\ncontent-type: application/json; charset=utf-8\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
  });
  return server;
}
