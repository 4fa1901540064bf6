import { describe, expect, it } from "vitest";
import { tensor, memory } from "../src/index.js";

describe("smoke", () => {
  it("x*x sum backward", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 4, 6, 8]);
    expect(y.gradFn!.name).toBe("SumBackward1");
    console.log(memory());
  });
});
