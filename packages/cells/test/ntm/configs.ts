/** Small `ntm` configs for the conformance suite and the gradient checks (the last two with an LSTM controller). */
export const ntmConfigs = [
  { inputSize: 3, outputSize: 2, controllerSize: 4, memorySlots: 5, memoryWidth: 3, readHeads: 1, writeHeads: 1, shiftRange: 1 },
  { inputSize: 2, outputSize: 3, controllerSize: 5, memorySlots: 6, memoryWidth: 2, readHeads: 2, writeHeads: 2, shiftRange: 2 },
  { inputSize: 2, outputSize: 1, controllerSize: 3, memorySlots: 4, memoryWidth: 2, readHeads: 1, writeHeads: 1, shiftRange: 0 },
  { inputSize: 3, outputSize: 2, controller: 'lstm', controllerSize: 4, memorySlots: 5, memoryWidth: 3, readHeads: 1, writeHeads: 1, shiftRange: 1 },
  { inputSize: 2, outputSize: 2, controller: 'lstm', controllerSize: 3, memorySlots: 6, memoryWidth: 2, readHeads: 2, writeHeads: 1, shiftRange: 2 },
] as const;
