/**
 * A one-line progress bar for training: step, loss, last validation loss, steps/s and ETA. On a
 * terminal it redraws in place; otherwise (CI logs, pipes) it prints a line every few seconds.
 */
import { ProgressBar, formatDuration, renderBar } from "@tessera/progress";

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
 * The text of the bar for a state, with `width` characters of bar.
 *
 * @example renderProgress({ step: 50, steps: 400, loss: 2.5, validationLoss: 2.6 }, 12.5);
 * // "step  50/400 ███░░░░░░░░░░░░░░░░░░░░░  loss 2.5000  val 2.6000  12.5 steps/s  ETA 28s"
 */
export function renderProgress(state: ProgressState, stepsPerSecond: number, width = 24): string {
  const fraction = state.steps === 0 ? 1 : state.step / state.steps;
  const bar = renderBar(fraction, width);
  const eta = stepsPerSecond > 0 ? (state.steps - state.step) / stepsPerSecond : Infinity;
  const validation = state.validationLoss === null ? "" : `  val ${state.validationLoss.toFixed(4)}`;
  return (
    `step ${String(state.step).padStart(String(state.steps).length)}/${state.steps} ${bar}` +
    `  loss ${state.loss.toFixed(4)}${validation}  ${stepsPerSecond.toFixed(1)} steps/s  ETA ${formatDuration(eta)}`
  );
}

/**
 * A progress bar for a training run (see `@tessera/progress`): a line at the last step even in
 * logs.
 *
 * @example
 * const bar = createProgressBar();
 * bar.update({ step: 1, steps: 400, loss: 4.8, validationLoss: null });
 */
export function createProgressBar(): ProgressBar<ProgressState> {
  return new ProgressBar({ render: renderProgress, isMilestone: (s) => s.step === s.steps });
}
