import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types
import { bundleExample, documentationFiles, examplesOf, ROOT, typecheckFolder } from '../src/doc-examples.mjs';

interface Example {
  readonly file: string;
  readonly line: number;
  readonly code: string;
}

const run = promisify(execFile);
const examples = (documentationFiles() as string[]).flatMap((file) => examplesOf(file) as Example[]);

describe('the examples in the READMEs run as written', () => {
  it('finds them, and they type-check under the repository\'s strict settings', async () => {
    expect(examples.length).toBeGreaterThan(3);
    const folder = typecheckFolder(examples) as string;
    const tsc = join(ROOT as string, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', folder], { timeout: 120_000 }).then(() => '', (error: { stdout?: string }) => error.stdout ?? String(error));
    expect(result).toBe('');
  }, 180_000);

  it.each(examples.map((e) => [`${relative(ROOT, e.file)}:${e.line}`, e] as const))('%s', async (_where, example) => {
    const bundle = (await bundleExample(example)) as string;
    const cwd = mkdtempSync(join(tmpdir(), 'unfold-doc-example-'));
    try {
      const { stderr } = await run(process.execPath, [bundle], { cwd, timeout: 120_000, env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
      expect(stderr.replace(/.*(Hi there|cpu backend|tfjs-node|Platform node has already been set).*\n?/g, '')).toBe('');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 180_000);
});
