import { describeCell, fakeCell, fakeCellReference } from '../src/index';
import { elmanCell, elmanReference } from './elman-cell';

// The conformance suite run on the cells of this package's own tests: the fake accumulator (step only,
// linear, hand-computable) and a small Elman cell with a fused sequence path and a fixed-weight variant.
describeCell(fakeCell, {
  configs: [
    { inputSize: 3, hiddenSize: 2 },
    { inputSize: 1, hiddenSize: 1 },
  ],
  reference: fakeCellReference,
});

describeCell(elmanCell, {
  configs: [
    { inputSize: 3, hiddenSize: 4 },
    { inputSize: 2, hiddenSize: 3, fixedRecurrent: true },
  ],
  reference: elmanReference,
  seed: 11,
});
