// Public API of @unfold/cells/esn.
export { dominantEigenvalue, type ArnoldiOptions, type DominantEigenvalue, type MatVec } from './arnoldi';
export { connectionsPerUnit, esnConfig, reservoirConnectivity, type EsnConfig, type EsnConfigInput } from './config';
export { eigenvalues, largestModulus, type Eigenvalues } from './eigenvalues';
export { esnCell } from './esn';
export { sparseReservoir } from './reservoir';
export { EXACT_SPECTRUM_LIMIT, spectralRadius, type SpectralRadiusOptions } from './spectral-radius';
