import type { LoadedModel, OperationEvent } from '@unfold/runtime';
import { responseFor } from './responses';

/**
 * `"stream": true` in an operation's body: the answer as server-sent events (text/event-stream), one
 * `data: {"index", "token", "text"?}` event per token the operation reports as it decodes (generate: greedy
 * and sampled decoding, language models and seq2seq models), then `event: done` with the whole answer as
 * the plain call gives it. A failure before the first token is a plain error answer with its status (a bad
 * request is still a 4xx); a failure after it is an `event: error` with the error body, then the end.
 */
export function wantsEvents(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && (body as Record<string, unknown>).stream === true;
}

const encoder = new TextEncoder();

function frame(data: unknown, event?: string): Uint8Array {
  return encoder.encode(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
}

/** Runs `call` with an event sink; resolves to the event-stream response once the first event (or the end) is there. */
export async function eventStream(model: LoadedModel, call: (onEvent: (event: OperationEvent) => void) => Promise<Readonly<Record<string, unknown>>>): Promise<{ response: Response; done: Promise<unknown> }> {
  const pending: Uint8Array[] = [];
  let sink: ReadableStreamDefaultController<Uint8Array> | undefined;
  let first: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (first = resolve));
  const send = (bytes: Uint8Array) => (sink ? sink.enqueue(bytes) : pending.push(bytes));
  const work = call((event) => {
    send(frame(event));
    first();
  });
  await Promise.race([started, work.catch(() => undefined)]);
  if (pending.length === 0) await work; // ended (or failed: the caller answers the error) before any token
  const response = new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        sink = controller;
        for (const bytes of pending.splice(0)) controller.enqueue(bytes);
        work.then(
          (answer) => {
            controller.enqueue(frame({ model: model.name, ...answer }, 'done'));
            controller.close();
          },
          async (error: unknown) => {
            controller.enqueue(frame(await responseFor(error).response.json(), 'error'));
            controller.close();
          },
        );
      },
    }),
    { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } },
  );
  return { response, done: work };
}
