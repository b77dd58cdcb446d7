// Public API of @unfold/core. An explicit list: what is not named here is internal.
export { bindNode } from './bind';
export { requireGradients, setupBackend, type BackendName, type BackendOptions } from './backend';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  deserializeModel,
  migrateSpec,
  readCheckpoint,
  serializeModel,
  type CheckpointContents,
  type ModelData,
  type PluginStamp,
} from './checkpoint';
export {
  defineConfig,
  editDistance,
  field,
  suggestion,
  type ConfigInput,
  type ConfigOf,
  type ConfigSchema,
  type Field,
  type FieldValue,
  type Fields,
} from './config-schema';
export { crc32 } from './crc32';
export { defineCell, defineHead, defineLayer, defineLoss, type CellDefinition, type HeadDefinition, type LayerDefinition, type LossDefinition } from './define';
export {
  BackendError,
  composeErrorMessage,
  ConfigError,
  DataError,
  ExportError,
  isUnfoldError,
  RegistryError,
  SerializationError,
  ShapeError,
  UnfoldError,
  type ErrorCode,
  type ErrorDetails,
} from './errors';
export { formatShape, hostTensor, sameShape, shapeSize, type HostTensor, type WeightMap } from './host-tensor';
export { constant, glorotUniform, normal, uniform, zeros, type Initializer } from './initializers';
export type {
  CellOnnxContext,
  CellOnnxMapping,
  CellOnnxResult,
  HeadOnnxMapping,
  LayerOnnxContext,
  LayerOnnxMapping,
  OnnxAttributeValue,
  OnnxConstant,
  OnnxDataType,
  OnnxGraphBuilder,
  OnnxSubgraph,
  OnnxSubgraphSignature,
  OnnxValueType,
  SequenceOnnxResult,
} from './onnx-hooks';
export type {
  AnyPlugin,
  BoundNode,
  CellPlugin,
  CellSequenceOptions,
  CellSequenceResult,
  CellStepResult,
  ChildSlot,
  HeadPlugin,
  LayerPlugin,
  LossPlugin,
  ParamSpec,
  ParamTensors,
  PluginFamily,
  PluginMeta,
  ResolvedNode,
  SequenceInput,
  SequenceOutput,
  StateSpec,
} from './plugins';
export { createRegistry, type Registry } from './registry';
export { checkWeights, initWeights, modelParameters, ownParameters, resolveModel, type NamedParam } from './resolve';
export { Rng } from './rng';
export { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from './safetensors';
export { parseModelSpec, type JsonValue, type ModelSpec } from './spec';
export { CORE_PACKAGE, CORE_VERSION } from './version';
