// Public API of @unfold/onnx. An explicit list: what is not named here is internal.
// File writing lives in `@unfold/onnx/node` (exportModelFile, exportEntriesFolder) so this entry runs in browsers and Workers.
export { describeInterface, exportModel, serializeGraph, type ExportOptions } from './export-model';
export { exportEntries, exportModelEntries, mainEntry, modelExports, type ExportedEntries, type ExportedEntry } from './export-entries';
export { describeTreeInterface, exportTreeModel, isTreeRoot, type ForestOnnxMapping, type TreeExportOptions } from './export-tree';
export type { EntryContext, EntryInputPort, EntryInputValue, EntryOptions, EntryOutputPort, EntryResult, EntrySequenceOutput, ExportEntry } from './entry';
export {
  BATCH_DIM,
  BROADCAST_DIM,
  FOREST_TENSORS,
  FULL_LENGTH,
  INPUT_NAME,
  INTERFACE_VERSION,
  MAIN_ENTRY,
  OUTPUT_NAME,
  SEQUENCE_LENS_NAME,
  stateInputName,
  stateOutputName,
  TIME_DIM,
  type EntryInterface,
  type EntryManifest,
  type InterfacePort,
  type InterfaceSemantics,
  type InterfaceState,
  type InterfaceTensor,
} from '@unfold/core/interface';
export {
  type InterfaceOptions,
  type OnnxInterface,
  type OnnxInterfaceV1,
  type OnnxStateSpec,
  type OnnxTensorSpec,
} from './interface';
export { METADATA_FORMAT, METADATA_FORMAT_V1, METADATA_KEYS } from './metadata';
export { createModelBuilder, type OnnxModelBuilder } from './model-graph';
export { readInitializers, readOnnxModel, readUnfoldMetadata, type OnnxModelSummary, type UnfoldOnnxMetadata } from './read';
export { readUnfoldModel, type UnfoldModelFromOnnx } from './unfold-model';
export type { Dim, ValueDescription } from './value-info';
export { IR_VERSION, ONNX_PACKAGE, ONNX_PACKAGE_VERSION, OPSET_VERSION } from './version';
export { fromUnfoldOutputs, toUnfoldInputs, type FeedTensor, type UnfoldFeeds, type UnfoldResults } from './import/feeds';
export { importOnnx, type ImportedModel, type ImportOptions } from './import/import-onnx';
export type { AxisPart, ImportedInput, ImportedInterface, ImportedOutput, ImportedState } from './import/io-mapping';
export { SUPPORTED_OPS as IMPORT_SUPPORTED_OPS } from './import/evaluate';
