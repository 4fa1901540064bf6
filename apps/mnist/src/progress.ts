/**
 * A one-line progress bar for training: epoch, step, loss, accuracy, steps/s and ETA. On a
 * terminal it redraws in place; otherwise (CI logs, pipes) it prints a line every few seconds.
 */

/** What the bar shows at each update. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  accuracy: number;
}

/** Formats seconds as `1m05s` / `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--";
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** The text of the bar for a state, `width` characters of bar. */
export function renderProgress(state: ProgressState, stepsPerSecond: number, width = 24): string {
  const totalSteps = state.epochs * state.stepsPerEpoch;
  const done = (state.epoch - 1) * state.stepsPerEpoch + state.step;
  const fraction = totalSteps === 0 ? 1 : done / totalSteps;
  const filled = Math.round(fraction * width);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const eta = stepsPerSecond > 0 ? (totalSteps - done) / stepsPerSecond : Infinity;
  return (
    `epoch ${state.epoch}/${state.epochs} ${bar} ${String(state.step).padStart(String(state.stepsPerEpoch).length)}/${state.stepsPerEpoch}` +
    `  loss ${state.loss.toFixed(4)}  acc ${(state.accuracy * 100).toFixed(1)}%` +
    `  ${stepsPerSecond.toFixed(1)} steps/s  ETA ${formatDuration(eta)}`
  );
}

/** Draws the bar on a stream (stderr by default, so stdout stays clean for results). */
export class ProgressBar {
  private readonly started = performance.now();
  private lastPrint = 0;
  private stepsDone = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly interactive = stream.isTTY === true) {}

  /** Records one finished step and redraws. */
  update(state: ProgressState): void {
    this.stepsDone++;
    const now = performance.now();
    const rate = this.stepsDone / Math.max((now - this.started) / 1000, 1e-9);
    if (this.interactive) {
      this.stream.write(`\r${renderProgress(state, rate)}\u001b[K`);
    } else if (now - this.lastPrint > 5000 || state.step === state.stepsPerEpoch) {
      this.lastPrint = now;
      this.stream.write(`${renderProgress(state, rate)}\n`);
    }
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.interactive) this.stream.write("\n");
  }
}
