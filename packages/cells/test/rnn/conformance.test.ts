import { describeCell } from '@unfold/testing';
import { rnnCell } from '../../src/rnn/rnn';
import { rnnConfigs } from './configs';
import { rnnReference } from './reference';

describeCell(rnnCell, { configs: rnnConfigs, reference: rnnReference });
