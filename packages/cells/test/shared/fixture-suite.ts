import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupBackend, type CellPlugin } from '@unfold/core';
import { listFixtures, type CellPath } from '@unfold/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachKernelPath } from './kernel-paths';
import { onnxDirectionCases, torchDirectionCases, type DirectionCase } from './fixture-cases';
import { compareDirectionCase, runDirectionCase } from './fixture-run';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures');

/** The direction cases of the torch and onnx fixtures whose file names match the patterns. */
export function fixtureCases(torch: RegExp, onnx: RegExp): DirectionCase[] {
  return [...listFixtures(resolve(fixtures, 'torch'), torch).flatMap(torchDirectionCases), ...listFixtures(resolve(fixtures, 'onnx'), onnx).flatMap(onnxDirectionCases)];
}

/**
 * One test per direction case and path (fused `sequence` and the `step` loop): outputs and final
 * states within 1e-5 + 1e-5·|b| of the fixture. Logs the largest difference seen.
 */
export function describeFixtures<C>(plugin: CellPlugin<string, C>, cases: readonly DirectionCase[], configFor: (c: DirectionCase) => Record<string, unknown>): void {
  describeEachKernelPath(`${plugin.kind} golden fixtures`, () => {
    let worst = { diff: 0, name: '' };
    beforeAll(async () => {
      await setupBackend();
    });
    afterAll(() => {
      console.info(`${plugin.kind}: ${cases.length} fixture direction cases, largest |diff| ${worst.diff.toExponential(2)} (${worst.name})`);
    });
    for (const c of cases) {
      for (const path of ['sequence', 'step-loop'] as CellPath[]) {
        it(`${c.name} (${path})`, () => {
          const config = plugin.validate(configFor(c));
          const report = compareDirectionCase(c, runDirectionCase(plugin, config, c, path), `${c.name} ${path}`);
          if (report.maxAbsDiff > worst.diff) worst = { diff: report.maxAbsDiff, name: report.name };
          expect(report.failures).toEqual([]);
        });
      }
    }
  });
}
