import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleFacts } from '../../runtime/test/bundle-facts';

/**
 * The engine must stay small enough for a Worker on the free plan and quick to start: no tfjs, no
 * onnxruntime, no Node built-ins, no import at run time; besides its own sources only the runtime's
 * protobuf reader and error class, core's error text, and the tfjs-free WebAssembly kernels of
 * @unfold/cells/kernels for the recurrent operators' fast path.
 */
describe('@unfold/engine bundle', () => {
  it('contains only the engine, the runtime’s reader and kernels, and imports nothing at run time', async () => {
    const facts = await bundleFacts(join(import.meta.dirname, '../src/index.ts'));
    const allowed = [/packages\/engine\/(src\/|package\.json$)/, /packages\/runtime\/src\/(proto\/|errors\.ts)/, /packages\/core\/src\/errors\.ts/, /packages\/cells\/src\/(kernels\.ts|shared\/kernels\/|\w+\/kernel\.ts|leaky\/integrator-steps\.ts)/];
    expect(facts.inputs.filter((path) => !allowed.some((pattern) => pattern.test(path)))).toEqual([]);
    expect(facts.imports).toEqual([]);
    // 52.6 kB minified (18.9 kB gzip) for the TypeScript engine alone; the kernels' WebAssembly adds
    // about 100 kB. The budget for the engine is about 150 kB.
    expect(facts.bytes).toBeLessThan(160_000);
  });
});
