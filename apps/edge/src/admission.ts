/**
 * Load shedding for inferences: at most `maxConcurrent` operation calls run at once, at most `maxQueue`
 * wait in arrival order, and a call that finds the queue full is turned away at once (the handler answers
 * 503 E_BUSY with Retry-After) instead of piling up memory and latency. A waiting call whose deadline
 * passes leaves the queue (503 E_TIMEOUT). A slot is given back only when the work it admitted settles,
 * so the bound holds even for calls whose answer was already given up on.
 */
export type Admitted = { readonly ok: true; release(): void } | { readonly ok: false; readonly reason: 'busy' | 'timeout' };

export interface Admission {
  /** True when a call arriving now would be queued or run, not turned away (checked before reading a body). */
  hasRoom(): boolean;
  /** A slot, once free; `busy` when the queue is full, `timeout` when `deadline` (ms since the epoch) passes first. */
  acquire(deadline: number): Promise<Admitted>;
  readonly running: () => number;
  readonly waiting: () => number;
}

interface Waiter {
  readonly grant: () => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export function createAdmission(maxConcurrent: number, maxQueue: number): Admission {
  let running = 0;
  const queue: Waiter[] = [];
  const slot = (): Admitted => {
    let released = false;
    return {
      ok: true,
      release() {
        if (released) return;
        released = true;
        const next = queue.shift();
        if (next) {
          clearTimeout(next.timer);
          next.grant();
        } else running--;
      },
    };
  };
  return {
    hasRoom: () => running < maxConcurrent || queue.length < maxQueue,
    acquire(deadline) {
      if (running < maxConcurrent) {
        running++;
        return Promise.resolve(slot());
      }
      if (queue.length >= maxQueue) return Promise.resolve({ ok: false, reason: 'busy' });
      return new Promise((resolve) => {
        const waiter: Waiter = {
          grant: () => resolve(slot()), // the releasing call's slot passes on: `running` is unchanged
          timer: setTimeout(() => {
            const at = queue.indexOf(waiter);
            if (at >= 0) queue.splice(at, 1);
            resolve({ ok: false, reason: 'timeout' });
          }, Math.max(0, deadline - Date.now())),
        };
        queue.push(waiter);
      });
    },
    running: () => running,
    waiting: () => queue.length,
  };
}
