import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types
import { documentationFiles, examplesOf, ROOT } from '../src/doc-examples.mjs';

// docs/write-a-cell.md is followed literally: its one complete program (run by doc-examples.test.ts, which
// runs every guide in docs/) defines a cell with `step` and `onnxStep`, trains it, saves, exports and serves
// it with the edge handler on onnxruntime-node, and fails unless the served prediction equals the trained one.
const guide = join(ROOT as string, 'docs/write-a-cell.md');

describe('the "write your own cell plugin" guide', () => {
  it('is among the documents whose examples run', () => {
    expect(documentationFiles() as string[]).toContain(guide);
  });

  it('shows one complete program that defines, trains, saves, exports and serves a cell', () => {
    const examples = examplesOf(guide) as { code: string }[];
    expect(examples).toHaveLength(1);
    const code = (examples[0] as { code: string }).code;
    for (const part of ['defineCell(', 'step(params', 'onnxStep:', 'await fit(', 'saveModel(', 'loadModel(', 'exportModel(', "from 'onnxruntime-node'", 'createHandler(', 'handler(request)']) {
      expect(code).toContain(part);
    }
    expect(code).toMatch(/throw new Error\('the served model differs from the trained one'\)/);
  });
});
