import * as tf from '@tensorflow/tfjs-core';
import { forwardUnchecked } from '@unfold/architectures';
import {
  createRegistry,
  defineConfig,
  defineFamily,
  defineLayer,
  deserializeModel,
  field,
  initWeights,
  inputSizeOf,
  isUnfoldError,
  outputSizeOf,
  resolveModel,
  serializeModel,
  setupBackend,
  stateOf,
  uniform,
  type HostTensor,
  type OnnxGraphBuilder,
  type ParamSpec,
  type ParamTensors,
  type Plugin,
  type ResolvedNode,
} from '@unfold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from '../src/index';
import { elmanCell } from './cells/elman';
import { exportForTest } from './harness';
import { checkParity, DiffLog } from './parity';

// A family defined entirely outside core, as a third-party package would: "gain" components scale
// features per unit. Core, resolution, weights, checkpoints and the exporter know it only through this
// description; the layer that uses it (also defined here) knows the family's own contract (`scale`, `onnx`).
interface GainPlugin extends Plugin<'acme/gain'> {
  parameters(config: { readonly size: number }): readonly ParamSpec[];
  /** y = x ⊙ g over the last axis. */
  scale(params: ParamTensors, x: tf.Tensor, config: { readonly size: number }): tf.Tensor;
  readonly onnx?: (context: { graph: OnnxGraphBuilder; weights: Readonly<Record<string, HostTensor>>; input: string }) => string;
}

const gainFamily = defineFamily({ name: 'acme/gain', summary: 'a per-unit gain over features', role: 'component', required: ['parameters', 'scale'], exportedBy: ['onnx'] });
const gainConfig = defineConfig({ size: field.int({ doc: 'features scaled', min: 1 }) });
const meta = { package: 'acme-gains', version: '1.0.0' };

const unitGain = gainFamily.define<GainPlugin>({
  kind: 'acme/unit-gain',
  meta,
  schemaVersion: 1,
  summary: 'y = x ⊙ g, one learned gain per unit',
  config: gainConfig,
  parameters: (config) => [{ name: 'g', shape: [config.size], init: uniform(0.5, 1.5) }],
  scale: (params, x) => tf.mul(x, params.g as tf.Tensor1D),
  onnx: ({ graph, weights, input }) => graph.node('Mul', [input, graph.constant('g', weights.g as HostTensor)], {}, { stem: 'gained' })[0] as string,
});

const { onnx: _mapping, ...withoutMapping } = unitGain;
const unexportableGain = gainFamily.define<GainPlugin>({ ...withoutMapping, kind: 'acme/plain-gain' });

/** A layer of the same package: any recurrent body, then its outputs scaled by a gain component. */
const gained = defineLayer({
  kind: 'acme/gained',
  meta,
  schemaVersion: 1,
  summary: 'a recurrent body whose outputs are scaled per unit by a gain component',
  config: defineConfig({}),
  children: () => [
    { name: 'body', families: ['cell', 'layer'], list: false },
    { name: 'gain', families: ['acme/gain'], list: false },
  ],
  inputSize: (node) => inputSizeOf(node.children.body as ResolvedNode),
  outputSize: (node) => outputSizeOf(node.children.body as ResolvedNode),
  state: (node) => stateOf(node.children.body as ResolvedNode),
  forward(bound, input, context) {
    const body = forwardUnchecked(bound.child('body'), input, context);
    const gain = bound.child('gain');
    return { outputs: (gain.node.plugin as GainPlugin).scale(gain.params, body.outputs, gain.node.config as { size: number }) as tf.Tensor3D, finalState: body.finalState };
  },
  onnx(context) {
    const body = context.sequence(context.node.children.body as ResolvedNode, { input: context.input, initialState: context.initialState });
    const child = context.node.children.gain as ResolvedNode;
    const { graph, weights } = context.component(child);
    const onnx = (child.plugin as GainPlugin).onnx as NonNullable<GainPlugin['onnx']>;
    return { outputs: onnx({ graph, weights, input: body.outputs }), finalState: body.finalState };
  },
});

const spec = (gain = 'acme/unit-gain') => ({
  kind: 'acme/gained',
  children: { body: { kind: 'acme/elman', config: { inputSize: 3, hiddenSize: 4 } }, gain: { kind: gain, config: { size: 4 } } },
});

const log = new DiffLog('a family added outside core');
beforeAll(() => setupBackend());
afterAll(() => log.report());

describe('a family added from outside core', () => {
  const registry = createRegistry([elmanCell, gained, unitGain, unexportableGain]);

  it('resolves, initialises and checkpoints its plugins like any other', () => {
    const root = resolveModel(registry, spec());
    expect((root.children.gain as ResolvedNode).plugin.family).toBe('acme/gain');
    const weights = initWeights(root, 3);
    expect(Object.keys(weights)).toEqual(['body.W', 'body.R', 'body.B', 'gain.g']);
    const copy = deserializeModel(registry, serializeModel(registry, { spec: spec(), weights }));
    expect(Array.from(copy.weights['gain.g']?.data ?? [])).toEqual(Array.from(weights['gain.g']?.data ?? []));
  });

  it('checks slots and members by family', () => {
    const wrong = { ...spec(), children: { ...spec().children, gain: { kind: 'acme/elman', config: { inputSize: 4, hiddenSize: 4 } } } };
    expect(() => resolveModel(registry, wrong)).toThrow(/wrong family[\s\S]*acme\/gain in slot gain/);
    expect(() => gainFamily.define({ ...unitGain, kind: 'acme/broken', scale: undefined } as never)).toThrow(/missing scale\(\)/);
  });

  it('exports through the parent layer and matches onnxruntime', async () => {
    const model = await exportForTest('family.acme-gain', [elmanCell, gained, unitGain], spec());
    await checkParity(model, log);
    await model.session.release();
  });

  it('names a component whose plugin lacks the family’s export member', () => {
    const root = resolveModel(registry, spec('acme/plain-gain'));
    const weights = initWeights(root, 1);
    let error: unknown;
    try {
      exportModel(registry, { spec: spec('acme/plain-gain'), weights });
    } catch (caught) {
      error = caught;
    }
    expect(isUnfoldError(error, 'E_EXPORT')).toBe(true);
    expect(String(error)).toMatch(/acme\/gain "acme\/plain-gain" has no ONNX mapping/);
  });
});
