import type { InterfaceSemantics } from './interface';
import type { ComponentOnnxContext, OnnxGraphBuilder, SequenceOnnxResult } from './onnx-hooks';
import type { ResolvedNode } from './plugins';
import type { PortSpec } from './ports';
import type { StateSpec } from './state';

/**
 * Export entries: the graphs a model exports. Every model has the `main` entry (its sequence interface,
 * what `exportModel` writes); a model may export several (`encoder` + `step`, or a seq2seq model's
 * `encoder` + `decoder_step`), each with its own ports, states and declared tasks, through `exportEntries`.
 *
 * An entry is declared, then built: the declaration (ports, states, tasks) fixes the graph's inputs and
 * outputs and the file's `unfold.interface`; `build` gets the boundary values (time-major sequences and
 * their lengths, vectors, initial states broadcast to the batch) and emits the nodes between them with
 * the model's own plugin mappings (`sequence`, `step`, `head`). The exporter (@unfold/onnx) owns everything
 * at the boundary, as for `main`. The types live in core so that a layer declares its own entries
 * (`LayerPlugin.exports`, as the seq2seq layer does) without depending on the exporter.
 */

/** An input port of an entry: `features` [B, T, size], `tokens` [B, T] or `vector` [B, size]. */
export interface EntryInputPort extends PortSpec {
  /** The graph input carrying the port (default: the port's name). */
  readonly tensor?: string;
  /** Sequence ports: take the lengths as a graph input (default true); false means all full length. */
  readonly lengths?: boolean;
}

/** An output port of an entry: `features` [B, T, size] (or [B, 1, size] read at the last step), `tokens` int32 [B, T] or `vector` [B, size]. */
export interface EntryOutputPort extends PortSpec {
  /** The graph output carrying the port (default: the port's name). */
  readonly tensor?: string;
}

/** A value at an input port, as `build` receives it. */
export interface EntryInputValue {
  /** Sequence ports: time-major [T, B, size] float32 or [T, B] int32 ids; vector ports: [B, size] float32. */
  readonly value: string;
  /** Sequence ports: int32 [B], each in [0, T]. */
  readonly lengths?: string;
}

/** A sequence output with its readout: [T, B, size] for `sequence`, [1, B, size] for `last`. */
export interface EntrySequenceOutput {
  readonly value: string;
  readonly readout: 'sequence' | 'last';
}

export interface EntryContext {
  /** The entry's main graph (stems are prefixed by the calling plugin's path inside `sequence`/`step`/`head`). */
  readonly graph: OnnxGraphBuilder;
  /** The resolved model. */
  readonly root: ResolvedNode;
  /** Values at the input ports, by port name. */
  readonly inputs: Readonly<Record<string, EntryInputValue>>;
  /** The initial states, in the entry's `states` order, each [B, ...shape]. */
  readonly initialState: readonly string[];
  /** The batch size, int64 [1]. */
  readonly batch: string;
  /** Zeros [B, ...shape] (a state the entry does not take, such as an encoder's initial state). */
  zeros(shape: readonly number[]): string;
  /** The model's node at a dotted path (`''` the root, `body`, `body.layers.1`). */
  node(path: string): ResolvedNode;
  /** Runs a cell or layer over a time-major sequence with its lengths (the lengths of an input port). */
  sequence(node: ResolvedNode, input: { readonly input: string; readonly lengths: string; readonly initialState: readonly string[]; readonly reverse?: boolean }): SequenceOnnxResult;
  /** Runs a cell or layer for one step: x [B, I] and the state to the output [B, O] and the next state. */
  step(node: ResolvedNode, input: { readonly input: string; readonly state: readonly string[] }): { readonly output: string; readonly state: readonly string[] };
  /** Applies a head over any leading axes. */
  head(node: ResolvedNode, input: string): string;
  /**
   * A node's own weights and config with the graph seen at its path, for what no mapping above runs: the
   * root layer's own parameters (`component(context.root)`), or a child of a component family (an attention scorer).
   */
  component(node: ResolvedNode): ComponentOnnxContext;
  /**
   * `step`, `head` and `component` emitting into a subgraph this entry builds (the body of a Loop, from
   * `graph.subgraph`), for an entry that runs the model inside a loop (a single-file greedy decoder).
   */
  within(subgraph: OnnxGraphBuilder): Pick<EntryContext, 'step' | 'head' | 'component'>;
}

export interface EntryResult {
  /** By output port: sequence ports time-major ([T, B, size], tokens [T, B]; a name means readout `sequence`), vector ports [B, size]. */
  readonly outputs: Readonly<Record<string, string | EntrySequenceOutput>>;
  /** Final states in the entry's `states` order, each [B, ...shape]. */
  readonly finalState: readonly string[];
}

export interface ExportEntry {
  /** The entry's name, also its file's (`<name>.onnx`): lower-case letters, digits, `_` and `-`. */
  readonly name: string;
  /** What a runtime may do with the entry: `predict`, `stream`, `rollout`, `generate`, or a task of your own. */
  readonly tasks: readonly string[];
  readonly inputs: readonly EntryInputPort[];
  readonly outputs: readonly EntryOutputPort[];
  /** The states the entry takes (`state_in.<name>`) and returns (`state_out.<name>`); names are paths. */
  readonly states: readonly StateSpec[];
  /** Take `state_in.*` inputs (default true); false: states start from zeros. */
  readonly stateInputs?: boolean;
  /** Overrides of the model's declared semantics for this entry (an encoder's readout is `last`). */
  readonly semantics?: Partial<InterfaceSemantics>;
  /** The graph's doc string. */
  readonly doc?: string;
  build(context: EntryContext): EntryResult;
}

/** What a model exports when its `main` entry cannot describe it: its entries and the tasks that span them. */
export interface ModelExports {
  readonly entries: readonly ExportEntry[];
  /** Tasks that span entries (a seq2seq model's `generate` runs `encoder` then `decoder_step`). */
  readonly tasks: readonly { readonly name: string; readonly entries: readonly string[] }[];
}
