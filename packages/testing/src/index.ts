/**
 * @unfold/testing: unfold's shared test kit. Closeness assertions, golden-fixture loading, a float64
 * finite-difference gradient checker with the float64 helpers references are written with, a
 * hand-computable fake cell, and the cell conformance suite (`describeCell`) with its building blocks.
 */
export { compareClose, DEFAULT_ATOL, DEFAULT_RTOL, expectBitEqual, expectClose, maxAbsDiff, type CloseOptions, type CloseReport, type Tolerance } from './close';
export { bundleFromSource } from './bundle';
export { CHROMIUM_ARGS, chromiumPath } from './chromium';
export { unfoldErrorOf } from './errors';
export { listFixtures, loadFixture, type FixtureFile, type FixtureValue } from './fixtures';
export { matVec, randomLossWeights, relu, sigmoid, tanh, toFloat64, weightedSum } from './float64';
export {
  checkGradients,
  formatElement,
  sampleIndices,
  type GradientCheckArgs,
  type GradientCheckOptions,
  type GradientCheckResult,
  type GradientCheckWorst,
  type GradientPoint,
} from './gradient-check';
export { fakeCell, fakeCellReference } from './fake-cell';
export {
  casePoint,
  defaultLengths,
  differentiableNames,
  makeCellCase,
  paddingMask,
  sliceTime,
  weightsToTensors,
  type CellCase,
  type CellCaseOptions,
  type CellDims,
  type CellReference,
} from './cell-case';
export { disposeResult, preferredPath, runCellHost, runCellPath, runStepLoop, type CellPath, type CellRunInputs, type HostCellResult } from './cell-run';
export { cellGradients, cellLoss, referenceCellLoss, referenceLossAt, type CellGradientOptions } from './cell-gradients';
export {
  checkAgainstReference,
  checkDeterminism,
  checkEmptySequence,
  checkRoundTrip,
  checkSequenceMatchesStep,
  checkShapes,
  checkSingleStep,
  expectResultsClose,
  runReference,
  SEQUENCE_TOLERANCE,
  type ResultLike,
} from './cell-checks';
export { checkFiniteGradients, checkReferenceGradients, checkSequenceGradientsMatchStep, SEQUENCE_GRADIENT_TOLERANCE } from './cell-gradient-checks';
export { checkNoLeaks } from './leak-check';
export { describeCell, type DescribeCellOptions } from './describe-cell';
