import { describeCell } from '@unfold/testing';
import { ntmCell } from '../../src/ntm/ntm';
import { ntmConfigs } from './configs';
import { ntmReference } from './reference';

// The conformance suite on five configs (one head each, two of each with shifts −2..2, no shift; two with
// an LSTM controller): shapes,
// determinism, the whole step against the float64 reference (1e-6), finite-difference gradients of every
// parameter, initial state and input, save/load round trip, finite gradients, no leaks.
describeCell(ntmCell, { configs: ntmConfigs, reference: ntmReference, tolerance: { atol: 1e-6, rtol: 1e-6 } });
