import { feedbackError, sequenceError, sequenceOf } from '../capabilities';
import { rollout } from '../rollout';
import type { OperationModule } from './operation';

/** `rollout`: a context → generated steps, each output fed back as the next input (rollout.ts). */
export const rolloutOperation: OperationModule = {
  name: 'rollout',
  scope: 'entry',
  unsupported: (entry, where) => sequenceError(entry, where) ?? (entry.sequence ? feedbackError(entry.sequence, where) : null),
  run: ({ label, entry }, request, limits) => rollout({ name: label, session: entry.session, info: sequenceOf(entry.info, `${label}: rollout`) }, request, limits),
};
