// Public API of @unfold/cells/rnn.
export { rnnCell, rnnConfig, type RnnConfig, type RnnConfigInput } from './rnn';
