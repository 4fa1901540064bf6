/**
 * A one-line progress bar for training: epoch, step, loss, accuracy, steps/s and ETA. On a
 * terminal it redraws in place; otherwise (CI logs, pipes) it prints a line every few seconds.
 */
import { ProgressBar, formatDuration, renderBar } from "@tessera/progress";

/** What the bar shows at each update. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  accuracy: number;
}

/** The text of the bar for a state, `width` characters of bar. */
export function renderProgress(state: ProgressState, stepsPerSecond: number, width = 24): string {
  const totalSteps = state.epochs * state.stepsPerEpoch;
  const done = (state.epoch - 1) * state.stepsPerEpoch + state.step;
  const fraction = totalSteps === 0 ? 1 : done / totalSteps;
  const bar = renderBar(fraction, width);
  const eta = stepsPerSecond > 0 ? (totalSteps - done) / stepsPerSecond : Infinity;
  return (
    `epoch ${state.epoch}/${state.epochs} ${bar} ${String(state.step).padStart(String(state.stepsPerEpoch).length)}/${state.stepsPerEpoch}` +
    `  loss ${state.loss.toFixed(4)}  acc ${(state.accuracy * 100).toFixed(1)}%` +
    `  ${stepsPerSecond.toFixed(1)} steps/s  ETA ${formatDuration(eta)}`
  );
}

/**
 * A progress bar for an MNIST run (see `@tessera/progress`): a line at every epoch's end even
 * in logs.
 *
 * @example
 * const bar = createProgressBar();
 * bar.update({ epoch: 1, epochs: 4, step: 1, stepsPerEpoch: 63, loss: 2.3, accuracy: 0.1 });
 */
export function createProgressBar(): ProgressBar<ProgressState> {
  return new ProgressBar({ render: renderProgress, isMilestone: (s) => s.step === s.stepsPerEpoch });
}
