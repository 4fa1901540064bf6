/**
 * A one-line progress bar for training: step, loss, last validation loss, steps/s and ETA. On a
 * terminal it redraws in place; otherwise (CI logs, pipes) it prints a line every few seconds.
 */

/** What the bar shows at each update. */
export interface ProgressState {
  step: number;
  steps: number;
  /** Training loss of the last batch. */
  loss: number;
  /** The latest validation loss, or null before the first evaluation. */
  validationLoss: number | null;
}

/**
 * Formats seconds as `1m05s` / `42s`.
 *
 * @example formatDuration(125); // "2m05s"
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--";
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/**
 * The text of the bar for a state, with `width` characters of bar.
 *
 * @example renderProgress({ step: 50, steps: 400, loss: 2.5, validationLoss: 2.6 }, 12.5);
 * // "step  50/400 ███░░░░░░░░░░░░░░░░░░░░░  loss 2.5000  val 2.6000  12.5 steps/s  ETA 28s"
 */
export function renderProgress(state: ProgressState, stepsPerSecond: number, width = 24): string {
  const fraction = state.steps === 0 ? 1 : state.step / state.steps;
  const filled = Math.round(fraction * width);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const eta = stepsPerSecond > 0 ? (state.steps - state.step) / stepsPerSecond : Infinity;
  const validation = state.validationLoss === null ? "" : `  val ${state.validationLoss.toFixed(4)}`;
  return (
    `step ${String(state.step).padStart(String(state.steps).length)}/${state.steps} ${bar}` +
    `  loss ${state.loss.toFixed(4)}${validation}  ${stepsPerSecond.toFixed(1)} steps/s  ETA ${formatDuration(eta)}`
  );
}

/**
 * Draws the bar on a stream (stderr by default, so stdout keeps only the results).
 *
 * @example
 * const bar = new ProgressBar();
 * bar.update({ step: 1, steps: 400, loss: 4.8, validationLoss: null });
 * bar.finish();
 */
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
    } else if (now - this.lastPrint > 5000 || state.step === state.steps) {
      this.lastPrint = now;
      this.stream.write(`${renderProgress(state, rate)}\n`);
    }
  }

  /** Clears the bar's line on a terminal, so that a log line can be printed in its place. */
  clear(): void {
    if (this.interactive) this.stream.write("\r\u001b[K");
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.interactive) this.stream.write("\n");
  }
}
