/** Types of models.mjs (imported by the Workers tests and the bundle-size benchmark). */
export declare const DEFAULT_MODELS_MODULE: string;
export declare function modelFiles(path: string): string[];
export declare function writeModelsModule(path: string, out?: string): { out: string; names: string[] };
export declare const WORKER_CONFIG: string;
export declare function writeWorkerProject(path: string, dir: string, vars?: Record<string, string>): { config: string; names: string[] };
