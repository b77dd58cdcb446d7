import { checkStreamable, sequenceError, sequenceOf, streamError } from '../capabilities';
import { readChoice, readRequest } from '../requests';
import { packSequences } from '../sequences';
import { packStates, statesToJson } from '../states';
import { cutOutputs, runChunk } from '../unfold-run';
import { scalingOf } from '../units';
import type { OperationModule } from './operation';

/** `stream`: a chunk of each sequence and the previous state → outputs and the state to send next time. */
export const streamOperation: OperationModule = {
  name: 'stream',
  scope: 'entry',
  unsupported: (entry, where) => sequenceError(entry, where) ?? (entry.sequence ? streamError(entry.sequence, where) : null),
  async run({ label, entry }, request, limits) {
    const info = sequenceOf(entry.info, `${label}: stream`);
    checkStreamable(info, `${label}: stream`);
    const fields = readRequest(request, ['inputs', 'state', 'units'], 'request');
    const scaling = scalingOf(info, readChoice(fields.units, ['data', 'normalised'] as const, 'data', 'units'));
    const packed = packSequences(fields.inputs, info, limits, { where: 'inputs', transform: scaling.toModel, allowEmpty: true });
    const states = packStates(fields.state, info.states, packed.batch, 'state');
    const result = await runChunk(entry.session, info, packed, states, label);
    return {
      outputs: cutOutputs(result, packed.lengths, info.outputSize, scaling.toCaller),
      state: statesToJson(info.states, result.states, packed.batch),
    };
  },
};
