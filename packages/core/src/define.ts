import { defineFamily, type PluginDefinition } from './family';
import type { CellPlugin, HeadPlugin, LayerPlugin, LossPlugin, Plugin, ResolvedNode } from './plugins';

/** The four families core ships, described like any other (family.ts). */
export const cellFamily = defineFamily({
  name: 'cell',
  summary: 'one step of a recurrence',
  role: 'recurrence',
  required: ['inputSize', 'outputSize', 'state', 'parameters', 'step'],
  exportedBy: ['onnx', 'onnxStep'],
});

export const layerFamily = defineFamily({
  name: 'layer',
  summary: 'a sequence architecture that owns its time loop',
  role: 'sequence',
  required: ['children', 'inputSize', 'outputSize', 'state', 'forward'],
  exportedBy: ['onnx'],
  children: (plugin, config) => (plugin as LayerPlugin).children(config),
  checkChildren: (plugin, node) => (plugin as LayerPlugin).checkChildren?.(node),
  parameters: (plugin, node) => (plugin as LayerPlugin).parameters?.(node) ?? [],
});

export const headFamily = defineFamily({
  name: 'head',
  summary: 'a per-position map (dense readout, embedding)',
  role: 'map',
  required: ['inputSize', 'outputSize', 'parameters', 'apply'],
  exportedBy: ['onnx'],
});

export const lossFamily = defineFamily({
  name: 'loss',
  summary: 'a masked reduction of predictions against targets',
  role: 'loss',
  required: ['compute'],
  exportedBy: [],
  parameters: () => [],
});

export type CellDefinition<K extends string, C> = PluginDefinition<CellPlugin<K, C>>;
export type LayerDefinition<K extends string, C> = PluginDefinition<LayerPlugin<K, C>>;
export type HeadDefinition<K extends string, C> = PluginDefinition<HeadPlugin<K, C>>;
export type LossDefinition<K extends string, C> = PluginDefinition<LossPlugin<K, C>>;

export function defineCell<const K extends string, C>(definition: CellDefinition<K, C>): CellPlugin<K, C> {
  return cellFamily.define<CellPlugin<K, C>>(definition);
}

export function defineLayer<const K extends string, C>(definition: LayerDefinition<K, C>): LayerPlugin<K, C> {
  return layerFamily.define<LayerPlugin<K, C>>(definition);
}

export function defineHead<const K extends string, C>(definition: HeadDefinition<K, C>): HeadPlugin<K, C> {
  return headFamily.define<HeadPlugin<K, C>>(definition);
}

export function defineLoss<const K extends string, C>(definition: LossDefinition<K, C>): LossPlugin<K, C> {
  return lossFamily.define<LossPlugin<K, C>>(definition);
}

/** Type guards by role: a plugin of any family whose role is `recurrence` follows the CellPlugin contract, etc. */
export function isRecurrence(plugin: Plugin): plugin is CellPlugin {
  return plugin.familySpec.role === 'recurrence';
}

export function isSequenceLayer(plugin: Plugin): plugin is LayerPlugin {
  return plugin.familySpec.role === 'sequence';
}

export function isMap(plugin: Plugin): plugin is HeadPlugin {
  return plugin.familySpec.role === 'map';
}

export function isLoss(plugin: Plugin): plugin is LossPlugin {
  return plugin.familySpec.role === 'loss';
}

/** A node whose plugin runs over sequences on its own: a recurrence (run forward) or a sequence layer. */
export function isSequenceComponent(node: ResolvedNode): boolean {
  return isRecurrence(node.plugin) || isSequenceLayer(node.plugin);
}
