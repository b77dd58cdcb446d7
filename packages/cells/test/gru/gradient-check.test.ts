import { gruCell } from '../../src/gru/gru';
import { describeReferenceGradients } from '../shared/gradient-check-suite';
import { gruConfigs } from './configs';
import { gruReference } from './reference';

describeReferenceGradients(gruCell, gruConfigs, gruReference);
