import { build } from 'esbuild';

/**
 * What an entry point costs where there is no Node: bundled for a neutral platform (workspace packages
 * from source), which modules went in, what the bundle still imports, and its minified size.
 */
export async function bundleFacts(entry: string): Promise<{ inputs: string[]; imports: string[]; bytes: number }> {
  const result = await build({ entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'neutral', conditions: ['@unfold/source'], mainFields: ['module', 'main'], metafile: true, minify: true, logLevel: 'silent' });
  const output = Object.values(result.metafile.outputs)[0];
  return { inputs: Object.keys(result.metafile.inputs), imports: (output?.imports ?? []).map((i) => i.path), bytes: output?.bytes ?? 0 };
}
