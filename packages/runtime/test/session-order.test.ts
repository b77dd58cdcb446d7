import { describe, expect, it } from 'vitest';
import { openSession, type OrtFlavour } from '../src/session';

/**
 * The session queue (issue 15, item 1): one run at a time, and of the waiting runs the smallest first, so a
 * small call waits at most for the run in progress. A fake onnxruntime records the order runs start in.
 */
function fakeOrt(started: number[], ms: (size: number) => number, overlap: { now: number; most: number }): OrtFlavour {
  class Tensor {
    constructor(readonly type: string, readonly data: Float32Array, readonly dims: number[]) {}
  }
  const session = {
    inputNames: ['x'],
    outputNames: ['y'],
    run: async (feeds: Record<string, Tensor>) => {
      const size = (feeds.x as Tensor).data.length;
      started.push(size);
      overlap.most = Math.max(overlap.most, ++overlap.now);
      await new Promise((resolve) => setTimeout(resolve, ms(size)));
      overlap.now--;
      if (size === 13) throw new Error('a failing run');
      return { y: { type: 'float32', dims: [1], data: new Float32Array([size]) } };
    },
    release: async () => undefined,
  };
  return { InferenceSession: { create: async () => session }, Tensor } as unknown as OrtFlavour;
}

const feed = (size: number) => ({ x: { dtype: 'float32' as const, shape: [size], data: new Float32Array(size) } });

describe('session run order', () => {
  it('runs one at a time, the smallest waiting run first, ties in arrival order; a failure blocks nothing', async () => {
    const started: number[] = [];
    const overlap = { now: 0, most: 0 };
    const session = await openSession(fakeOrt(started, (size) => (size > 100 ? 30 : 5), overlap), new Uint8Array(1), undefined, 'test');
    const results = await Promise.allSettled([1000, 500, 13, 2, 700, 3, 2].map((size) => session.run(feed(size))));
    expect(started).toEqual([1000, 2, 2, 3, 13, 500, 700]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(overlap.most).toBe(1);
  });
});
