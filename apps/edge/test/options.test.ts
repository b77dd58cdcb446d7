import { describe, expect, it } from 'vitest';
import { DEFAULT_EDGE_LIMITS } from '../src/index';
import { entryCommand, parseServerOptions, usage } from '../src/node';

describe('server options', () => {
  it('defaults each runtime to its onnxruntime flavour and 127.0.0.1:8080', () => {
    expect(parseServerOptions(['--models', 'm'], 'node')).toMatchObject({ models: 'm', host: '127.0.0.1', port: 8080, engine: 'ort-node', threads: 1, limits: DEFAULT_EDGE_LIMITS });
    expect(parseServerOptions(['--models', 'm'], 'bun').engine).toBe('ort-web');
    expect(parseServerOptions(['--models=m', '--ort=node'], 'deno').engine).toBe('ort-node');
  });

  it('takes the engine from --engine, else UNFOLD_ENGINE, else the default; --ort is the old spelling', () => {
    for (const engine of ['compact', 'ort-node', 'ort-web', 'auto'] as const) {
      expect(parseServerOptions(['--models', 'm', '--engine', engine], 'bun').engine).toBe(engine);
      expect(parseServerOptions(['--models', 'm'], 'deno', { UNFOLD_ENGINE: engine }).engine).toBe(engine);
    }
    expect(parseServerOptions(['--models', 'm', '--engine=ort-web'], 'node', { UNFOLD_ENGINE: 'compact' }).engine).toBe('ort-web');
    expect(parseServerOptions(['--models', 'm', '--ort', 'web', '--engine', 'ort-web'], 'node').engine).toBe('ort-web');
    expect(parseServerOptions(['--models', 'm'], 'node', { UNFOLD_ENGINE: '' }).engine).toBe('ort-node');
    expect(() => parseServerOptions(['--models', 'm', '--engine', 'tfjs'], 'node')).toThrow(/--engine must be one of compact, ort-node, ort-web, auto; got "tfjs"/);
    expect(() => parseServerOptions(['--models', 'm'], 'node', { UNFOLD_ENGINE: 'ort' })).toThrow(/UNFOLD_ENGINE must be one of compact, ort-node, ort-web, auto; got "ort"/);
    expect(() => parseServerOptions(['--models', 'm', '--ort', 'node', '--engine', 'compact'], 'node')).toThrow(/--engine compact contradicts the engine given before \(ort-node\)/);
    expect(usage('node')).toContain('--engine <compact|ort-node|ort-web|auto>');
  });

  it('reads limits and ports, and names the fix for every mistake', () => {
    const options = parseServerOptions(['--models', 'm', '--port', '0', '--max-batch', '8', '--max-body-bytes=2048', '--max-rollout-steps', '10'], 'node');
    expect(options.port).toBe(0);
    expect(options.limits).toMatchObject({ maxBatch: 8, maxBodyBytes: 2048, maxRolloutSteps: 10, maxTime: DEFAULT_EDGE_LIMITS.maxTime });
    expect(() => parseServerOptions([], 'node')).toThrow(/--models is required/);
    expect(() => parseServerOptions(['--models', 'm', '--port', '70000'], 'node')).toThrow(/--port must be an integer in \[0, 65535\]/);
    expect(() => parseServerOptions(['--models', 'm', '--max-batch', '0'], 'node')).toThrow(/--max-batch/);
    expect(() => parseServerOptions(['--models', 'm', '--ort', 'gpu'], 'node')).toThrow(/--ort must be node or web/);
    expect(() => parseServerOptions(['--models', 'm', '--verbose'], 'node')).toThrow(/unknown option "--verbose"/);
    expect(() => parseServerOptions(['--models'], 'node')).toThrow(/--models needs a value/);
    expect(parseServerOptions(['--help'], 'deno').help).toBe(true);
    expect(usage('deno')).toContain('--allow-ffi');
  });

  it('reads the hardening limits and the allowed hosts (issue 15)', () => {
    const options = parseServerOptions(['--models', 'm', '--max-steps', '100', '--max-output-elements', '200', '--max-json-depth', '8', '--max-response-bytes', '4096', '--max-concurrent', '2', '--max-queue', '3', '--max-request-ms', '500', '--max-write-ms', '600', '--allowed-hosts', 'my.box, api.internal'], 'node');
    expect(options.limits).toMatchObject({ maxSteps: 100, maxOutputElements: 200, maxJsonDepth: 8, maxResponseBytes: 4096, maxConcurrent: 2, maxQueue: 3, maxRequestMs: 500, maxWriteMs: 600 });
    expect(options.allowedHosts).toEqual(['my.box', 'api.internal']);
    expect(parseServerOptions(['--models', 'm'], 'node')).toMatchObject({ allowedHosts: [], limits: { maxConcurrent: 4, maxQueue: 64, heavyBodyBytes: 65_536, maxHeavyConcurrent: 1, maxHeavyQueue: 2, maxRequestMs: 10_000 } });
    expect(() => parseServerOptions(['--models', 'm', '--max-queue', '0'], 'node')).toThrow(/--max-queue must be an integer/);
    for (const flag of ['--max-steps', '--max-json-depth', '--max-concurrent', '--allowed-hosts']) expect(usage('node')).toContain(flag);
  });

  it('builds each runtime’s command line, Deno’s permissions by flavour', () => {
    expect(entryCommand({ runtime: 'bun', entry: 'bun.js', models: 'm', port: 0 })).toMatchObject({ command: 'bun', args: ['bun.js', '--models', 'm', '--host', '127.0.0.1', '--port', '0', '--engine', 'ort-web'] });
    expect(entryCommand({ runtime: 'node', entry: 'node.js', models: 'm', engine: 'compact' }).args).toEqual(expect.arrayContaining(['--engine', 'compact']));
    for (const engine of ['compact', 'ort-web', 'auto'] as const) expect(entryCommand({ runtime: 'deno', entry: 'deno.js', models: 'm', engine }).args).not.toContain('--allow-ffi');
    const web = entryCommand({ runtime: 'deno', entry: 'deno.js', models: 'm' });
    expect(web.args.slice(0, 3)).toEqual(['run', '--allow-net=127.0.0.1', '--allow-read']);
    const native = entryCommand({ runtime: 'deno', entry: 'deno.js', models: 'm', ort: 'node' });
    expect(native.args).toEqual(expect.arrayContaining(['--allow-env', '--allow-ffi']));
    expect(entryCommand({ runtime: 'node', entry: 'node.js', models: 'm' }).env).toMatchObject({ ORT_DISABLE_TELEMETRY: '1' });
  });
});
