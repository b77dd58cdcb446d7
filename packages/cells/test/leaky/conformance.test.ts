import { describeCell } from '@unfold/testing';
import { leakyCell } from '../../src/leaky/leaky';
import { leakyReference } from './reference';

// Each form of the leak rates × learnAlpha × activation (bias off once per activation).
describeCell(leakyCell, {
  configs: [
    { inputSize: 3, hiddenSize: 4 },
    { inputSize: 3, hiddenSize: 4, learnAlpha: true },
    { inputSize: 3, hiddenSize: 4, alpha: 0.3 },
    { inputSize: 3, hiddenSize: 4, alpha: 0.3, learnAlpha: true, bias: false },
    { inputSize: 2, hiddenSize: 5, activation: 'relu', alphaRange: [0.05, 0.8] },
    { inputSize: 2, hiddenSize: 5, activation: 'relu', alphaRange: [0.05, 0.8], learnAlpha: true },
    { inputSize: 2, hiddenSize: 3, activation: 'relu', alphas: [1, 0.5, 0.1], bias: false },
    { inputSize: 2, hiddenSize: 3, alphas: [0.9, 0.5, 0.1], learnAlpha: true },
  ],
  reference: leakyReference,
});
