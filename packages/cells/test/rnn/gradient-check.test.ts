import { rnnCell } from '../../src/rnn/rnn';
import { describeReferenceGradients } from '../shared/gradient-check-suite';
import { rnnConfigs } from './configs';
import { rnnReference } from './reference';

describeReferenceGradients(rnnCell, rnnConfigs, rnnReference);
