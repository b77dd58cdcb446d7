// Deno entry: deno run --allow-net=127.0.0.1 --allow-read dist/entries/deno.js --models <folder>
// (onnxruntime-web by default; --ort node also needs --allow-env --allow-ffi). See --help.
import { runEntry, urlOf } from '../server/start';

declare const Deno: {
  readonly args: readonly string[];
  exit(code: number): never;
  serve(
    options: { hostname: string; port: number; onListen: (address: { hostname: string; port: number }) => void; onError: (error: unknown) => Response },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
};

const internal = () => new Response('{"error":{"code":"E_INTERNAL","message":"internal error"}}', { status: 500, headers: { 'content-type': 'application/json; charset=utf-8' } });

await runEntry('deno', Deno.args, { out: (line) => console.log(line), err: (line) => console.error(line), exit: (code) => Deno.exit(code) }, (prepared) =>
  new Promise((resolve) => {
    Deno.serve({ hostname: prepared.options.host, port: prepared.options.port, onListen: ({ port }) => resolve(urlOf(prepared.options.host, port)), onError: internal }, prepared.handler);
  }),
);
