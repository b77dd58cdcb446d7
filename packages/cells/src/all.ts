import { esnCell } from './esn/index';
import { gruCell } from './gru/index';
import { leakyCell } from './leaky/index';
import { lstmCell } from './lstm/index';
import { ntmCell } from './ntm/index';
import { rnnCell } from './rnn/index';

/** Every cell of @unfold/cells, for `createRegistry([...cells, ...])`. Importing this registers nothing. */
export const cells = Object.freeze([rnnCell, lstmCell, gruCell, leakyCell, esnCell, ntmCell] as const);
