import type { OrtModule } from '@unfold/runtime';

/**
 * onnxruntime-node, loaded on demand (its native library only when asked for). Telemetry is off unless
 * the environment already says otherwise (platform.md: the native library looks up a telemetry host).
 */
export async function loadOrtNode(): Promise<OrtModule> {
  if (typeof process !== 'undefined' && process.env) process.env.ORT_DISABLE_TELEMETRY ??= '1';
  const module = (await import('onnxruntime-node')) as OrtModule & { default?: OrtModule };
  return module.default ?? module;
}
