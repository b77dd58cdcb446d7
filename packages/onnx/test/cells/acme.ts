import { defineConfig, field } from '@unfold/core';

/** What the test cells of the imaginary third-party package `acme-cells` share: who made them, and common options. */
export const ACME = Object.freeze({ meta: Object.freeze({ package: 'acme-cells', version: '1.0.0' }), schemaVersion: 1 });

export const sizeFields = Object.freeze({
  inputSize: field.int({ doc: 'input features I', min: 1 }),
  hiddenSize: field.int({ doc: 'hidden units H', min: 1 }),
});

export interface Sizes {
  readonly inputSize: number;
  readonly hiddenSize: number;
}

/** A cell whose state is one hidden vector h [B, H], also its output: its config, sizes and state. */
export const hiddenVectorCell = Object.freeze({
  ...ACME,
  config: defineConfig(sizeFields),
  inputSize: (config: Sizes) => config.inputSize,
  outputSize: (config: Sizes) => config.hiddenSize,
  state: (config: Sizes) => [{ name: 'h', size: config.hiddenSize }],
});
