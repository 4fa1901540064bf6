/**
 * The training progress bar of the example apps: one line with a bar, the app's own figures,
 * steps per second and an ETA. On a terminal it redraws in place; otherwise (CI logs, pipes)
 * it prints a line every few seconds and at the last step.
 *
 * @packageDocumentation
 */

/**
 * Formats seconds as `1m05s` / `42s` (`--` when unknown).
 *
 * @example formatDuration(125); // "2m05s"
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--";
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/**
 * A bar of `width` cells, `fraction` of them filled.
 *
 * @example renderBar(0.5, 4); // "██░░"
 */
export function renderBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(Math.max(fraction, 0), 1) * width);
  return "█".repeat(filled) + "░".repeat(width - filled);
}

/** How a {@link ProgressBar} draws and paces an app's state. */
export interface ProgressFormat<State> {
  /** The line for `state` at `stepsPerSecond` (see {@link renderBar}, {@link formatDuration}). */
  render(state: State, stepsPerSecond: number): string;
  /** True at a step whose line must be printed even off a terminal (the end of an epoch or run). */
  isMilestone(state: State): boolean;
}

/** Off a terminal, the least time between two printed lines. */
export const LOG_INTERVAL_MS = 5000;

/**
 * Draws an app's progress on a stream (stderr by default, so stdout keeps only the results).
 *
 * @example
 * const bar = new ProgressBar({ render: (s: { step: number }) => `step ${s.step}`, isMilestone: (s) => s.step === 100 });
 * bar.update({ step: 1 });
 * bar.finish();
 */
export class ProgressBar<State> {
  private readonly started = performance.now();
  private lastPrint = Number.NEGATIVE_INFINITY; // off a terminal the first step prints at once
  private stepsDone = 0;

  constructor(
    private readonly format: ProgressFormat<State>,
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
    private readonly interactive = stream.isTTY === true,
  ) {}

  /** Records one finished step and redraws. */
  update(state: State): void {
    this.stepsDone++;
    const now = performance.now();
    const rate = this.stepsDone / Math.max((now - this.started) / 1000, 1e-9);
    if (this.interactive) {
      this.stream.write(`\r${this.format.render(state, rate)}\u001b[K`);
    } else if (now - this.lastPrint > LOG_INTERVAL_MS || this.format.isMilestone(state)) {
      this.lastPrint = now;
      this.stream.write(`${this.format.render(state, rate)}\n`);
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
