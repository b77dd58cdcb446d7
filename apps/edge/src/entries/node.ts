// Node entry: node dist/entries/node.js --models <folder> [--ort node|web] (see --help).
import type { AddressInfo } from 'node:net';
import { createNodeServer } from '../node/adapter';
import { runEntry, urlOf } from '../server/start';

await runEntry('node', process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line), exit: (code) => process.exit(code) }, (prepared) => {
  const server = createNodeServer(prepared.handler, { writeTimeoutMs: prepared.options.limits.maxWriteMs });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(prepared.options.port, prepared.options.host, () => resolve(urlOf(prepared.options.host, (server.address() as AddressInfo).port)));
  });
});
