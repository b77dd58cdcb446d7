// Public API of @unfold/cells/gru.
export { gruCell, gruConfig, type GruConfig, type GruConfigInput } from './gru';
export { GRU_GATES } from './layout';
