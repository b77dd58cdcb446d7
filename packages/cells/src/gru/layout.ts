/** Where the GRU's gates live in its ONNX-layout weights (see gru.ts): row block g of W, R and of each half of B, ONNX order z, r, h. */
export const GRU_GATES = { z: 0, r: 1, h: 2 } as const;
