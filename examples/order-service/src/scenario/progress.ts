// The progress line shown while a scenario runs. On a terminal it is rewritten in place; into a
// file or a pipe (CI logs) it is a plain line each time, so logs stay readable.

import type { StatusCounts } from '../order/order-queries';

export interface ProgressSample {
  readonly answered: number;
  readonly total: number;
  readonly statuses: StatusCounts;
  readonly elapsedMs: number;
}

export function formatProgress(sample: ProgressSample): string {
  const { PAID, CANCELLED, PENDING_PAYMENT } = sample.statuses;
  const final = PAID + CANCELLED;
  const rate = sample.elapsedMs > 0 ? (final * 1_000) / sample.elapsedMs : 0;
  return (
    `[${(sample.elapsedMs / 1_000).toFixed(1).padStart(5)} s] requests ${sample.answered}/${sample.total}` +
    ` · PAID ${PAID} · CANCELLED ${CANCELLED} · pending ${PENDING_PAYMENT} · ${rate.toFixed(0)} orders/s`
  );
}

export interface Output {
  write(text: string): void;
  readonly isTTY?: boolean;
}

export class ProgressPrinter {
  readonly #out: Output;
  #lineOpen = false;

  constructor(out: Output) {
    this.#out = out;
  }

  show(sample: ProgressSample): void {
    const line = formatProgress(sample);
    if (this.#out.isTTY === true) {
      this.#out.write(`\r\x1b[2K${line}`);
      this.#lineOpen = true;
    } else {
      this.#out.write(`${line}\n`);
    }
  }

  /** A line of its own (a fault being injected), keeping the progress line below it. */
  note(text: string): void {
    this.#closeLine();
    this.#out.write(`${text}\n`);
  }

  finish(): void {
    this.#closeLine();
  }

  #closeLine(): void {
    if (this.#lineOpen) this.#out.write('\n');
    this.#lineOpen = false;
  }
}
