import { describeCell } from '@unfold/testing';
import { lstmCell } from '../../src/lstm/lstm';
import { lstmConfigs } from './configs';
import { lstmReference } from './reference';

// Without peepholes: bias × inputForget × clip (the peephole half is conformance-peepholes.test.ts).
describeCell(lstmCell, { configs: lstmConfigs.filter((c) => !c.peepholes), reference: lstmReference });
