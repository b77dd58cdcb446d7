import { libraryBuild } from '../../tsup.config.base';

export default libraryBuild({
  index: 'src/index.ts',
  'rnn/index': 'src/rnn/index.ts',
  'lstm/index': 'src/lstm/index.ts',
  'gru/index': 'src/gru/index.ts',
  'leaky/index': 'src/leaky/index.ts',
  'esn/index': 'src/esn/index.ts',
  'ntm/index': 'src/ntm/index.ts',
  all: 'src/all.ts',
  kernels: 'src/kernels.ts',
});
