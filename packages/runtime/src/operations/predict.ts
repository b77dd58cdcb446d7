import { sequenceError, sequenceOf } from '../capabilities';
import { readChoice, readRequest } from '../requests';
import { packSequences } from '../sequences';
import { packStates } from '../states';
import { treeViewOf } from '../tree-view';
import { cutOutputs, runChunk } from '../unfold-run';
import { scalingOf } from '../units';
import type { OperationModule } from './operation';
import { predictTrees } from './predict-trees';

/**
 * `predict`: a batch of sequences from fresh states → each sequence's outputs, cut to its length; on a
 * tree model (a `tree` input port), a batch of trees → each tree's root output (predict-trees.ts).
 */
export const predictOperation: OperationModule = {
  name: 'predict',
  scope: 'entry',
  unsupported: (entry, where) => (treeViewOf(entry) ? null : sequenceError(entry, where)),
  async run({ label, entry }, request, limits) {
    const tree = treeViewOf(entry.info);
    if (tree) return predictTrees(label, entry, tree, request, limits);
    const info = sequenceOf(entry.info, `${label}: predict`);
    const fields = readRequest(request, ['inputs', 'units'], 'request');
    const scaling = scalingOf(info, readChoice(fields.units, ['data', 'normalised'] as const, 'data', 'units'));
    const packed = packSequences(fields.inputs, info, limits, { where: 'inputs', transform: scaling.toModel, allowEmpty: false });
    const result = await runChunk(entry.session, info, packed, packStates(undefined, info.states, packed.batch, 'state'), label);
    return { outputs: cutOutputs(result, packed.lengths, info.outputSize, scaling.toCaller) };
  },
};
