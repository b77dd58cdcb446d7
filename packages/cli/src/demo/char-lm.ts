import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTokenizer, parseModelSpec, setupBackend, type ModelSpec } from '@unfold/core';
import { saveModel } from '@unfold/core/node';
import { exportModelFile } from '@unfold/onnx/node';
import { bitsPerToken, consoleProgress, createModel, fillDataSizes, fit, languageModelData, predict, readRecords } from '@unfold/training';
import { builtInRegistry } from '../models';
import { UsageError } from '../usage-error';
import { languageModelReport, samplePrompts } from '../report/model-reports';
import type { DemoJob } from './job';
import { examplesFolder } from './examples';
import { compareValues, ExportMismatchError, loadExport } from './verify';

const PRESETS = { quick: { epochs: 6, patience: undefined }, full: { epochs: 60, patience: 8 } } as const;

async function texts(path: string): Promise<string[]> {
  const set = readRecords(await readFile(path, 'utf8'), path);
  if (set.format !== 'text') throw new UsageError(`${path} holds ${set.format} records, not text`, 'restore examples/data from the repository');
  return set.records.map((r) => r.text);
}

/**
 * The character language model of examples/specs/char-lm.json (embedding, LSTM, next-character logits)
 * on examples/data/text.jsonl, validated on text-valid.jsonl. Exports char-lm.onnx (the tokenizer travels
 * in the file), checks the export's per-step logits on the validation texts and its `generate` (same
 * prompts and seeds) against the trained model, and reports the curves, samples and next-character
 * probabilities.
 */
export const charLmJob: DemoJob = {
  name: 'char-lm',
  async run({ dir, quick, seed, backend, io }) {
    const examples = examplesFolder('specs/char-lm.json');
    const preset = quick ? PRESETS.quick : PRESETS.full;
    const trainTexts = await texts(join(examples, 'data/text.jsonl'));
    const validTexts = await texts(join(examples, 'data/text-valid.jsonl'));
    const tokenizer = buildTokenizer('char', trainTexts);
    const vocabulary = tokenizer.tokens.length;
    const registry = builtInRegistry();
    const given = parseModelSpec(JSON.parse(await readFile(join(examples, 'specs/char-lm.json'), 'utf8')), 'examples/specs/char-lm.json');
    const { spec } = fillDataSizes(registry, given, { input: { kind: 'tokens', size: vocabulary }, output: { kind: 'classes', size: vocabulary } });
    await setupBackend({ backend });
    const model = createModel(registry, { ...spec, metadata: { ...spec.metadata, task: 'language-model', tokenizer } as unknown as ModelSpec['metadata'] }, { seed });
    try {
      io.err(`model: character LM (examples/specs/char-lm.json), ${[...model.variables.values()].reduce((n, v) => n + v.size, 0)} parameters, ${trainTexts.length} training texts, ${vocabulary} tokens\n`);
      const validation = languageModelData(validTexts, tokenizer);
      const result = await fit(model, languageModelData(trainTexts, tokenizer), {
        epochs: preset.epochs,
        batchSize: 16,
        loss: 'cross-entropy',
        optimizer: { kind: 'adam', learningRate: 0.02 },
        clipNorm: 1,
        seed,
        validation,
        ...(preset.patience ? { earlyStopping: { patience: preset.patience, restoreBest: true } } : {}),
        progress: consoleProgress({ output: { write: (text: string) => io.err(text), isTTY: io.interactive } }),
      });
      const bits = bitsPerToken(model, validation);
      io.out(`char-lm: ${bits.toFixed(3)} bits per character on ${validTexts.length} held-out texts (uniform over the ${vocabulary - 3} symbols: ${Math.log2(vocabulary - 3).toFixed(3)})\n`);
      const checkpoint = join(dir, 'char-lm.unfold');
      await saveModel(registry, checkpoint, model.toModelData());
      const onnxPath = join(dir, 'char-lm.onnx');
      await exportModelFile(registry, onnxPath, model.toModelData());
      io.out(`checkpoint written to ${checkpoint}\nexported to ${onnxPath}\n`);

      const prompts = samplePrompts(trainTexts, 6);
      const part = languageModelReport(model, result.history, tokenizer, {
        name: 'char-lm',
        description: `character language model: embedding, LSTM with 64 units, next-character logits (examples/specs/char-lm.json, ${trainTexts.length} sentences of a small grammar)`,
        facts: [
          { label: 'validation bits/char', value: bits.toFixed(3) },
          { label: 'epochs', value: String(result.history.length) },
          { label: 'vocabulary', value: `${vocabulary} tokens` },
        ],
        prompts,
      });
      const served = await loadExport(new Uint8Array(await readFile(onnxPath)), 'char-lm');
      try {
        const expected = predict(model, validation.x).flat(2);
        const answered = await served.predict({ inputs: validation.x });
        const logits = compareValues(answered.outputs.flat(2), expected, 1e-4, 1e-4);
        if (logits.failures > 0) throw new ExportMismatchError(`the logits of ${validTexts.length} validation texts`, `${logits.failures} differ, max |diff| ${logits.worst.toExponential(2)}`);
        const first = prompts[0];
        const generated = (await served.run('generate', { prompt: prompts.map((p) => p.prompt), seed: first?.seed, temperature: first?.temperature, maxLength: first?.maxLength })) as { outputs: string[] };
        const samples = part.sections.find((s) => s.kind === 'samples');
        const differing = samples?.kind === 'samples' ? samples.samples.filter((s, i) => generated.outputs[i] !== s.text).length : prompts.length;
        if (differing > 0) throw new ExportMismatchError('generated text', `${differing} of ${prompts.length} samples differ from the library's (same prompts and seeds)`);
        io.out(`onnxruntime matches unfold on the logits of ${validTexts.length} validation texts (max |diff| ${logits.worst.toExponential(2)}) and generates the same ${prompts.length} samples\n`);
      } finally {
        await served.release();
      }
      return part;
    } finally {
      model.dispose();
    }
  },
};
