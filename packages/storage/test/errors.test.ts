import { describe, expect, it } from "vitest";
import { DTypeError, DeviceError, DisposedError, ShapeError, TesseraError, formatShape } from "../src/index.js";

describe("errors", () => {
  it("every error is a TesseraError and an Error, with its own name", () => {
    for (const [Cls, name] of [
      [ShapeError, "ShapeError"],
      [DTypeError, "DTypeError"],
      [DeviceError, "DeviceError"],
      [DisposedError, "DisposedError"],
    ] as const) {
      const e = new Cls("boom");
      expect(e).toBeInstanceOf(TesseraError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(name);
      expect(e.message).toBe("boom");
    }
    expect(new TesseraError("x").name).toBe("TesseraError");
    expect(new ShapeError("x")).not.toBeInstanceOf(DTypeError);
  });

  it("formatShape prints shapes as PyTorch does", () => {
    expect(formatShape([2, 3])).toBe("[2, 3]");
    expect(formatShape([])).toBe("[]");
    expect(formatShape([0])).toBe("[0]");
  });
});
