import { checkStreamable, operationsOf } from './capabilities';
import { resolveLimits } from './limits';
import type { ModelDescription, UnfoldModel } from './model';
import type { GraphValue, ModelInfo } from './proto/model-info';
import { readChoice, readRequest } from './requests';
import { rollout } from './rollout';
import { packSequences } from './sequences';
import type { ModelSession } from './session';
import { packStates, toRows } from './states';
import type { UnfoldInfo } from './unfold-info';
import { cutOutputs, runChunk } from './unfold-run';
import { scalingOf } from './units';

/**
 * A model exported by @unfold/onnx, served from its own metadata: callers send batches of
 * variable-length sequences as nested arrays, and padding, `sequence_lens`, fresh states and
 * normalisation are handled here. Every value is checked before onnxruntime sees it.
 */
/** The interface's doc of each value (the graph's own docs are empty in unfold exports). */
function withDocs(values: readonly GraphValue[], documented: unknown): GraphValue[] {
  const docs = new Map<string, string>();
  for (const entry of Array.isArray(documented) ? documented : []) {
    const { name, doc } = (entry ?? {}) as { name?: unknown; doc?: unknown };
    if (typeof name === 'string' && typeof doc === 'string') docs.set(name, doc);
  }
  return values.map((v) => ({ ...v, doc: v.doc || (docs.get(v.name) ?? '') }));
}

export function describeUnfold(name: string, info: UnfoldInfo, model: ModelInfo): ModelDescription {
  return {
    name,
    format: 'unfold',
    operations: operationsOf(info),
    producer: info.producer,
    inputs: withDocs(model.inputs, info.interface.inputs),
    outputs: withDocs(model.outputs, info.interface.outputs),
    metadata: info.metadata,
    sequence: {
      inputKind: info.inputKind,
      inputSize: info.inputSize,
      outputSize: info.outputSize,
      outputKind: info.outputKind,
      readout: info.readout,
      states: info.states.map((s) => ({ path: s.path, size: s.size })),
      normalisation: info.normalisation,
      window: info.window,
      spec: info.spec,
    },
  };
}

export function createUnfoldModel(name: string, session: ModelSession, info: UnfoldInfo, model: ModelInfo): UnfoldModel {
  const description = Object.freeze(describeUnfold(name, info, model));
  return {
    format: 'unfold',
    name,
    describe: () => description,
    release: () => session.release(),

    async predict(request, options = {}) {
      const limits = resolveLimits(options.limits);
      const fields = readRequest(request, ['inputs', 'units'], 'request');
      const scaling = scalingOf(info, readChoice(fields.units, ['data', 'normalised'] as const, 'data', 'units'));
      const packed = packSequences(fields.inputs, info, limits, { where: 'inputs', transform: scaling.toModel, allowEmpty: false });
      const result = await runChunk(session, info, packed, packStates(undefined, info.states, packed.batch, 'state'), name);
      return { outputs: cutOutputs(result, packed.lengths, info.outputSize, scaling.toCaller) };
    },

    async stream(request, options = {}) {
      checkStreamable(info, `${name}: stream`);
      const limits = resolveLimits(options.limits);
      const fields = readRequest(request, ['inputs', 'state', 'units'], 'request');
      const scaling = scalingOf(info, readChoice(fields.units, ['data', 'normalised'] as const, 'data', 'units'));
      const packed = packSequences(fields.inputs, info, limits, { where: 'inputs', transform: scaling.toModel, allowEmpty: true });
      const states = packStates(fields.state, info.states, packed.batch, 'state');
      const result = await runChunk(session, info, packed, states, name);
      return {
        outputs: cutOutputs(result, packed.lengths, info.outputSize, scaling.toCaller),
        state: Object.fromEntries(info.states.map((s, i) => [s.path, toRows(result.states[i] as Float32Array, packed.batch, s.size)])),
      };
    },

    rollout: (request, options = {}) => rollout({ name, session, info }, request, resolveLimits(options.limits)),
  };
}
