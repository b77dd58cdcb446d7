import manifest from '../package.json' with { type: 'json' };

/** The installed @unfold/core version, recorded as the producer of checkpoints. */
export const CORE_VERSION: string = manifest.version;
export const CORE_PACKAGE: string = manifest.name;
