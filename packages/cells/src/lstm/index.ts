// Public API of @unfold/cells/lstm.
export { LSTM_GATES } from './layout';
export { lstmCell, lstmConfig, type LstmConfig, type LstmConfigInput } from './lstm';
