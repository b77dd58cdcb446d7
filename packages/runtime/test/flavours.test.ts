import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type UnfoldModel } from '../src/index';
import { asUnfold } from './kit';
import { randomSequences, referenceModel, worstExcess, type ReferenceModel } from './models';

/** The same runtime code over both onnxruntime flavours (a test may import both; library modules never do). */
const flavours = { node: createRuntime(ortNode), web: createRuntime(ortWeb) };
const refs: Record<string, ReferenceModel> = {};
const served: Record<'node' | 'web', Record<string, UnfoldModel>> = { node: {}, web: {} };

beforeAll(async () => {
  for (const name of ['tagger', 'charlm'] as const) {
    refs[name] = await referenceModel(name, 11);
    for (const flavour of ['node', 'web'] as const) served[flavour][name] = asUnfold(await flavours[flavour].load(refs[name].bytes, { name }));
  }
});

afterAll(async () => {
  for (const flavour of ['node', 'web'] as const) for (const model of Object.values(served[flavour])) await model.release();
  for (const ref of Object.values(refs)) ref.model.dispose();
});

describe('onnxruntime-node and onnxruntime-web give the same answers', () => {
  it('reports its versions', () => {
    expect(flavours.node.versions).toMatchObject({ common: '1.30.0', node: '1.30.0' });
    expect(flavours.web.versions).toMatchObject({ common: '1.30.0', web: '1.30.0' });
  });

  it('predict and stream agree with unfold’s forward on both', async () => {
    const inputs = randomSequences(12, [5, 2, 8], 3);
    const expected = refs.tagger!.forward(inputs);
    for (const flavour of ['node', 'web'] as const) {
      const result = await served[flavour].tagger!.stream({ inputs });
      expect(worstExcess(result.outputs, expected.outputs)).toBeLessThanOrEqual(0);
      expect(worstExcess(Object.values(result.state), expected.states)).toBeLessThanOrEqual(0);
    }
  });

  it('a features rollout agrees within the tolerance; seeded token rollouts are identical', async () => {
    const context = randomSequences(13, [3, 6], 3);
    const [node, web] = await Promise.all([served.node.tagger!.rollout({ inputs: context, steps: 30 }), served.web.tagger!.rollout({ inputs: context, steps: 30 })]);
    if (node.kind !== 'features' || web.kind !== 'features') throw new Error('expected features');
    expect(worstExcess(web.outputs, node.outputs)).toBeLessThanOrEqual(0);
    const request = { inputs: [[0, 1, 2], [6]], steps: 40, sampling: { strategy: 'sample', temperature: 1.2, topK: 5, seed: 2024 } } as const;
    const [a, b] = await Promise.all([served.node.charlm!.rollout(request), served.web.charlm!.rollout(request)]);
    expect(a.kind === 'tokens' && a.tokens).toEqual(b.kind === 'tokens' && b.tokens);
  });
});
