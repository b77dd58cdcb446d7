import { describeCell } from '@unfold/testing';
import { esnCell } from '../../src/esn/esn';
import { esnReference } from './reference';

// Leak 1 and < 1, with and without output feedback, dense and sparse reservoirs.
describeCell(esnCell, {
  configs: [
    { inputSize: 3, hiddenSize: 6 },
    { inputSize: 3, hiddenSize: 6, leakRate: 0.3, connectivity: 0.5 },
    { inputSize: 2, hiddenSize: 5, feedbackSize: 2 },
    { inputSize: 2, hiddenSize: 5, feedbackSize: 1, feedbackScaling: 0.5, leakRate: 0.6, spectralRadius: 1.2, biasScaling: 0 },
  ],
  reference: esnReference,
});
