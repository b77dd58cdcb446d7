import { lstmCell } from '../../src/lstm/lstm';
import { describeFusedAgreement } from '../shared/agreement-suite';
import { lstmConfigs } from './configs';

describeFusedAgreement(lstmCell, lstmConfigs);
