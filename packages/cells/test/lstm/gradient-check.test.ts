import { lstmCell } from '../../src/lstm/lstm';
import { describeReferenceGradients } from '../shared/gradient-check-suite';
import { lstmConfigs } from './configs';
import { lstmReference } from './reference';

describeReferenceGradients(lstmCell, lstmConfigs, lstmReference);
