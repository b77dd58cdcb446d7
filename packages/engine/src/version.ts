import manifest from '../package.json' with { type: 'json' };

/** The installed @unfold/engine version. */
export const version: string = manifest.version;
