import type { Tensor2D } from '@tensorflow/tfjs-core';
import { defineCell, type CellOnnxMapping, type CellPlugin, type CellStepResult, type ConfigSchema, type ParamSpec, type ParamTensors } from '@unfold/core';
import { checkParams, checkStepInputs, type VectorState } from './checks';
import { fusedSequence, type FusedRecurrence, type TensorRecord } from './fused-sequence';
import { CELLS_META } from './meta';

/**
 * What a recurrent cell of this package declares; `defineRecurrentCell` wires the rest the same way
 * for every cell: meta, input size from `config.inputSize`, output = the first state (h), `step` with
 * its inputs and parameters checked before the cell's own equations run, and `sequence` as the shared
 * fused op (fused-sequence.ts) over the cell's recurrence.
 */
export interface RecurrentCellDefinition<K extends string, C extends { readonly inputSize: number }, FW, BW, S extends TensorRecord, G extends TensorRecord> {
  readonly kind: K;
  readonly summary: string;
  readonly config: ConfigSchema<C>;
  /** Cross-option checks after the schema; throws ConfigError. */
  readonly check?: (config: C, where: string) => void;
  /** The states in the order `step` takes and returns them; the first is the output. */
  readonly states: (config: C) => readonly VectorState[];
  readonly parameters: (config: C) => readonly ParamSpec[];
  /** One step on checked inputs: plain tfjs ops, differentiable by autodiff. */
  readonly step: (params: ParamTensors, x: Tensor2D, state: readonly Tensor2D[], config: C) => CellStepResult;
  /** The fused path's recurrence: per-step forward, hand-written backward, parameter gradients. */
  readonly recurrence: FusedRecurrence<C, FW, BW, S, G>;
  readonly onnx?: CellOnnxMapping<C>;
}

export function defineRecurrentCell<const K extends string, C extends { readonly inputSize: number }, FW, BW, S extends TensorRecord, G extends TensorRecord>(
  definition: RecurrentCellDefinition<K, C, FW, BW, S, G>,
): CellPlugin<K, C> {
  const { kind, states, parameters, recurrence } = definition;
  return defineCell<K, C>({
    kind,
    meta: CELLS_META,
    schemaVersion: 1,
    summary: definition.summary,
    config: definition.config,
    ...(definition.check ? { check: definition.check } : {}),
    inputSize: (config) => config.inputSize,
    outputSize: (config) => (states(config)[0] as VectorState).size,
    state: states,
    parameters,
    step(params, x, state, config) {
      const where = `${kind}.step`;
      checkParams(where, parameters(config), params);
      checkStepInputs(where, { inputSize: config.inputSize, states: states(config) }, x, state);
      return definition.step(params, x, state as readonly Tensor2D[], config); // checked: each [B, size]
    },
    sequence(params, x, state, config, options) {
      const cell = { where: `${kind}.sequence`, inputSize: config.inputSize, states: states(config), parameters: parameters(config), config };
      return fusedSequence(recurrence, cell, params, x, state, options.mask);
    },
    ...(definition.onnx ? { onnx: definition.onnx } : {}),
  });
}
