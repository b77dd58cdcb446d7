// Public API of @unfold/edge: the runtime-agnostic fetch handler (web APIs only) and its parts.
// Node helpers (serveNode, entryCommand, the node:http adapter) are in `@unfold/edge/node`.
export { isJsonContentType, readJsonBody, type BodyResult } from './body';
export { curlExamples, exampleRequests, type ExampleRequests } from './examples';
export { createHandler, type FetchHandler, type HandlerOptions } from './handler';
export { defaultAllowedHosts, isAllowedHost, type AllowedHosts } from './hosts';
export { DEFAULT_EDGE_LIMITS, MAX_JSON_NUMBER_BYTES, resolveEdgeLimits, type EdgeLimits } from './limits';
export { lazyRegistry, staticRegistry, type ModelRegistry } from './registry';
export { ERROR_STATUS, type EdgeErrorCode, type ErrorBody, type ErrorCode } from './responses';
