import { gruCell } from '../../src/gru/gru';
import { describeFusedAgreement } from '../shared/agreement-suite';
import { gruConfigs } from './configs';

describeFusedAgreement(gruCell, gruConfigs);
