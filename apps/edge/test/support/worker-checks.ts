import { translate } from '@unfold/training';
import { expect } from 'vitest';
import { randomSequences, worstExcess } from '../../../../packages/runtime/test/models';
import type { Answer } from './client';
import type { ModelFolder } from './fixtures';

/**
 * What both Workers (the compact engine's and onnxruntime-web's) must answer as unfold itself does, over the
 * models of writeModelFolder: `send(path, body)` POSTs JSON to the Worker under test.
 */
export type Send = (path: string, body: unknown) => Promise<Answer>;

/** Predict on features, tokens and normalised units, against unfold's forward pass. */
export async function predictsAsUnfold(send: Send, folder: ModelFolder): Promise<void> {
  const refs = folder.references;
  const inputs = randomSequences(32, [5, 1, 8], 3);
  const tagger = await send('/models/tagger/predict', { inputs });
  expect(tagger.status).toBe(200);
  expect(worstExcess(tagger.body.outputs, refs.tagger.forward(inputs).outputs)).toBeLessThanOrEqual(0);
  const ids = [[0, 6, 2, 2, 5], [3]];
  const charlm = await send('/models/charlm/predict', { inputs: ids });
  expect(charlm.status).toBe(200);
  expect(worstExcess(charlm.body.outputs, refs.charlm.forward(ids).outputs)).toBeLessThanOrEqual(0);
  const z = randomSequences(40, [6, 3], 1);
  const forecaster = await send('/models/forecaster/predict', { inputs: z, units: 'normalised' });
  expect(forecaster.status).toBe(200);
  expect(worstExcess(forecaster.body.outputs, refs.forecaster.forward(z).outputs)).toBeLessThanOrEqual(0);
}

/** Stream in three chunks: the same outputs and final state as one call, and as unfold's forward pass. */
export async function streamsAsUnfold(send: Send, folder: ModelFolder): Promise<void> {
  const inputs = randomSequences(50, [9, 4, 7], 3);
  const whole = await send('/models/tagger/stream', { inputs });
  expect(whole.status).toBe(200);
  let state: unknown;
  const outputs: number[][][] = inputs.map(() => []);
  for (const [from, to] of [[0, 3], [3, 6], [6, 9]] as const) {
    const part = await send('/models/tagger/stream', { inputs: inputs.map((s) => s.slice(from, to)), ...(state ? { state } : {}) });
    expect(part.status).toBe(200);
    part.body.outputs.forEach((rows: number[][], b: number) => outputs[b]?.push(...rows));
    state = part.body.state;
  }
  expect(worstExcess(outputs, whole.body.outputs)).toBeLessThanOrEqual(0);
  expect(worstExcess(Object.values(state as object), Object.values(whole.body.state))).toBeLessThanOrEqual(0);
  const reference = folder.references.tagger.forward(inputs);
  expect(worstExcess(whole.body.outputs, reference.outputs)).toBeLessThanOrEqual(0);
  expect(worstExcess(Object.values(whole.body.state), reference.states)).toBeLessThanOrEqual(0);
}

/** Generate with the seq2seq folder (`reverse`), greedy and beam n-best, as unfold's translate does. */
export async function decodesAsTranslate(send: Send, folder: ModelFolder): Promise<void> {
  const inputs = ['hello world', 'abc', 'seq to seq'];
  const greedy = await send('/models/reverse/generate', { inputs, maxLength: 12 });
  expect(greedy.status).toBe(200);
  const expected = await translate(folder.seq2seq.model, inputs, { maxLength: 12 });
  expect(greedy.body).toMatchObject({ outputs: expected.map((t) => t.text), tokens: expected.map((t) => t.tokens) });
  const beam = await send('/models/reverse/generate', { inputs, strategy: 'beam', beamWidth: 3, nBest: 2, maxLength: 12 });
  const expectedBeam = await translate(folder.seq2seq.model, inputs, { strategy: 'beam', beamWidth: 3, nBest: 2, maxLength: 12 });
  expect(beam.body.nBest.map((list: { tokens: number[] }[]) => list.map((h) => h.tokens))).toEqual(expectedBeam.map((t) => t.nBest.map((h) => h.tokens)));
}

/** A tree model's predict (roots and every node) as unfold's tree layer, and the node of a bad tree named. */
export async function predictsTreesAsUnfold(send: Send, folder: ModelFolder): Promise<void> {
  const trees = ['(+ 3 (* 4 5))', { token: '-', children: [{ token: '9' }, { token: '2' }] }, '7'];
  const want = folder.tree.forward(trees);
  const answer = await send('/models/tree/predict', { trees, nodes: true });
  expect(answer.status).toBe(200);
  expect(worstExcess(answer.body.outputs, want.outputs)).toBeLessThanOrEqual(0);
  expect(worstExcess(answer.body.nodes.flat().map((n: { output: number[] }) => n.output), want.nodes)).toBeLessThanOrEqual(0);
  const bad = await send('/models/tree/predict', { trees: ['7', { nodes: [{ token: '+' }, { token: '1' }], children: [[1], [0]] }] });
  expect({ status: bad.status, code: bad.body?.error?.code, where: bad.body?.error?.where }).toEqual({ status: 422, code: 'E_TREE', where: 'trees[1].nodes[1]' });
}
