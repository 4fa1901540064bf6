import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ProgressBar, formatDuration, renderBar } from "../src/index.js";

describe("progress", () => {
  it("formats durations and bars", () => {
    expect(formatDuration(42.4)).toBe("42s");
    expect(formatDuration(125)).toBe("2m05s");
    expect(formatDuration(Infinity)).toBe("--");
    expect(renderBar(0.5, 4)).toBe("██░░");
    expect(renderBar(1.7, 3)).toBe("███");
    expect(renderBar(-1, 2)).toBe("░░");
  });

  it("redraws in place on a terminal; off one, prints milestones (and a line every few seconds)", () => {
    const format = { render: (s: { step: number }) => `step ${s.step}`, isMilestone: (s: { step: number }) => s.step === 3 };
    const read = (stream: PassThrough) => String(stream.read() ?? "");
    const tty = new PassThrough();
    const onTerminal = new ProgressBar(format, tty, true);
    onTerminal.update({ step: 1 });
    onTerminal.finish();
    expect(read(tty)).toBe("\rstep 1\u001b[K\n");
    const log = new PassThrough();
    const inLogs = new ProgressBar(format, log, false);
    for (const step of [1, 2, 3]) inLogs.update({ step });
    expect(read(log)).toBe("step 1\nstep 3\n"); // the first line, then the milestone
  });
});
