import { describeCell } from '@unfold/testing';
import { lstmCell } from '../../src/lstm/lstm';
import { lstmConfigs } from './configs';
import { lstmReference } from './reference';

// With peepholes: bias × inputForget × clip.
describeCell(lstmCell, { configs: lstmConfigs.filter((c) => c.peepholes), reference: lstmReference });
