import { describeCell } from '@unfold/testing';
import { gruCell } from '../../src/gru/gru';
import { gruConfigs } from './configs';
import { gruReference } from './reference';

describeCell(gruCell, { configs: gruConfigs, reference: gruReference });
