// Bun entry: bun dist/entries/bun.js --models <folder> [--ort web|node] (see --help).
import { runEntry, urlOf } from '../server/start';

declare const Bun: {
  readonly argv: readonly string[];
  serve(options: { hostname: string; port: number; idleTimeout: number; fetch: (request: Request) => Promise<Response>; error: (error: Error) => Response }): { readonly port: number };
};

const internal = () => new Response('{"error":{"code":"E_INTERNAL","message":"internal error"}}', { status: 500, headers: { 'content-type': 'application/json; charset=utf-8' } });

await runEntry('bun', Bun.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line), exit: (code) => process.exit(code) }, async (prepared) => {
  // idleTimeout (seconds, at most 255): a connection that neither sends nor takes bytes is closed (maxWriteMs).
  const idleTimeout = Math.min(255, Math.max(1, Math.ceil(prepared.options.limits.maxWriteMs / 1000)));
  const server = Bun.serve({ hostname: prepared.options.host, port: prepared.options.port, idleTimeout, fetch: prepared.handler, error: internal });
  return urlOf(prepared.options.host, server.port);
});
