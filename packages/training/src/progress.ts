/**
 * Training progress: events from the fit loop, and a console reporter that draws a bar on a TTY
 * (steps/s, loss, ETA) and prints plain lines otherwise (one per epoch, as CI logs want).
 */
import type { FitCallback } from './loop/callbacks';

export type ProgressEvent =
  | { readonly type: 'start'; readonly epochs: number; readonly stepsPerEpoch: number; readonly examples: number }
  | { readonly type: 'step'; readonly epoch: number; readonly step: number; readonly stepsPerEpoch: number; readonly loss: number; readonly stepsPerSecond: number; readonly etaSeconds: number }
  | { readonly type: 'epoch'; readonly epoch: number; readonly epochs: number; readonly loss: number; readonly validationLoss?: number; readonly seconds: number }
  | { readonly type: 'end'; readonly summary: FitSummary };

export interface FitSummary {
  readonly epochs: number;
  readonly steps: number;
  readonly seconds: number;
  readonly stepsPerSecond: number;
  readonly finalLoss: number;
  readonly finalValidationLoss?: number;
  readonly bestValidationLoss?: number;
  readonly stoppedEarly: boolean;
}

export type ProgressListener = (event: ProgressEvent) => void;

interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

function formatLoss(loss: number): string {
  return Math.abs(loss) >= 0.01 || loss === 0 ? loss.toFixed(4) : loss.toExponential(3);
}

/** A console reporter. `mode` auto picks the bar on a TTY and lines otherwise. */
export function consoleProgress(options: { output?: Output; mode?: 'auto' | 'bar' | 'lines' } = {}): ProgressListener {
  const output: Output = options.output ?? (globalThis as { process?: { stderr?: Output } }).process?.stderr ?? { write: (text: string) => console.log(text.trimEnd()) };
  const bar = options.mode === 'bar' || (options.mode !== 'lines' && output.isTTY === true);
  let lastDraw = 0;
  return (event) => {
    switch (event.type) {
      case 'start':
        output.write(`training: ${event.examples} sequences, ${event.epochs} epochs × ${event.stepsPerEpoch} steps\n`);
        break;
      case 'step': {
        if (!bar) break;
        const now = Date.now();
        if (now - lastDraw < 100 && event.step < event.stepsPerEpoch) break;
        lastDraw = now;
        const width = 24;
        const filled = Math.round((width * event.step) / event.stepsPerEpoch);
        const text = `epoch ${event.epoch} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${event.step}/${event.stepsPerEpoch}  ${event.stepsPerSecond.toFixed(1)} steps/s  loss ${formatLoss(event.loss)}  ETA ${formatSeconds(event.etaSeconds)}`;
        output.write(`\r${text.slice(0, (output.columns ?? 120) - 1)}\x1b[K`);
        break;
      }
      case 'epoch': {
        const validation = event.validationLoss === undefined ? '' : `  validation ${formatLoss(event.validationLoss)}`;
        output.write(`${bar ? '\r\x1b[K' : ''}epoch ${event.epoch}/${event.epochs}  loss ${formatLoss(event.loss)}${validation}  (${formatSeconds(event.seconds)})\n`);
        break;
      }
      case 'end': {
        const s = event.summary;
        const validation = s.finalValidationLoss === undefined ? '' : `, validation loss ${formatLoss(s.finalValidationLoss)}`;
        output.write(`done: ${s.steps} steps in ${formatSeconds(s.seconds)} (${s.stepsPerSecond.toFixed(1)} steps/s), loss ${formatLoss(s.finalLoss)}${validation}${s.stoppedEarly ? ', stopped early' : ''}\n`);
        break;
      }
    }
  };
}

/**
 * Progress as a fit callback: the `start`, `step` and `epoch` events (fit sends `end` with its summary).
 * Rates and ETA count the steps of this call, so a resumed run reports its own speed.
 */
export function progressCallback(listen: ProgressListener, examples: number, stepsPerEpoch: number): FitCallback {
  let started = 0;
  let firstStep = 0;
  return {
    name: 'progress',
    onStart(loop) {
      started = Date.now();
      listen({ type: 'start', epochs: loop.epochs, stepsPerEpoch, examples });
    },
    onStep(info, loop) {
      firstStep ||= info.step;
      const elapsed = (Date.now() - started) / 1000;
      const stepsPerSecond = (info.step - firstStep + 1) / Math.max(elapsed, 1e-9);
      const remaining = loop.epochs * stepsPerEpoch - info.step;
      listen({ type: 'step', epoch: info.epoch, step: info.batch, stepsPerEpoch: info.batchesPerEpoch, loss: info.loss, stepsPerSecond, etaSeconds: remaining / stepsPerSecond });
    },
    onEpoch(info) {
      const { validationLoss } = info.metrics;
      listen({ type: 'epoch', epoch: info.epoch, epochs: info.epochs, loss: info.loss, ...(validationLoss !== undefined ? { validationLoss } : {}), seconds: info.seconds });
    },
  };
}
