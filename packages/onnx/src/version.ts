import manifest from '../package.json' with { type: 'json' };

/** The installed @unfold/onnx version, recorded as the producer of exported files. */
export const ONNX_PACKAGE: string = manifest.name;
export const ONNX_PACKAGE_VERSION: string = manifest.version;

/** The ONNX IR version and default-domain opset every exported file declares (the Debian checker validates up to these). */
export const IR_VERSION = 8;
export const OPSET_VERSION = 17;
