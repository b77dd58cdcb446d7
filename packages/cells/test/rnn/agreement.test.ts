import { rnnCell } from '../../src/rnn/rnn';
import { describeFusedAgreement } from '../shared/agreement-suite';
import { rnnConfigs } from './configs';

describeFusedAgreement(rnnCell, rnnConfigs);
