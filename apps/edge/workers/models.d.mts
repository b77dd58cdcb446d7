/** Types of models.mjs (imported by the Workers tests and the bundle-size benchmark). */
export declare const DEFAULT_MODELS_MODULE: string;
export declare function modelFiles(path: string): string[];
export declare function writeModelsModule(path: string, out?: string): { out: string; names: string[] };
/** The Workers there are: the compact engine's (default) and onnxruntime-web's. */
export type WorkerEngine = 'compact' | 'ort-web';
export declare const WORKER_CONFIGS: Readonly<Record<WorkerEngine, string>>;
export declare const WORKER_CONFIG: string;
export declare function writeWorkerProject(path: string, dir: string, vars?: Record<string, string>, engine?: WorkerEngine): { config: string; names: string[] };
