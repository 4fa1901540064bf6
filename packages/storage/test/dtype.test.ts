import { describe, expect, it } from "vitest";
import {
  DTYPES,
  DTypeError,
  type DType,
  allocTypedArray,
  assertDType,
  isDType,
  isFloatingPoint,
  itemSize,
  promoteTypes,
  typedArrayConstructor,
} from "../src/index.js";

describe("promoteTypes", () => {
  it("follows bool < int32 < float32 < float64 in both argument orders", () => {
    const table: [DType, DType, DType][] = [
      ["bool", "bool", "bool"],
      ["bool", "int32", "int32"],
      ["bool", "float32", "float32"],
      ["bool", "float64", "float64"],
      ["int32", "int32", "int32"],
      ["int32", "float32", "float32"],
      ["int32", "float64", "float64"],
      ["float32", "float32", "float32"],
      ["float32", "float64", "float64"],
      ["float64", "float64", "float64"],
    ];
    for (const [a, b, want] of table) {
      expect(promoteTypes(a, b)).toBe(want);
      expect(promoteTypes(b, a)).toBe(want);
    }
  });

  it("DTYPES lists the dtypes in promotion order", () => {
    expect(DTYPES).toEqual(["bool", "int32", "float32", "float64"]);
    for (let i = 1; i < DTYPES.length; i++) expect(promoteTypes(DTYPES[i - 1]!, DTYPES[i]!)).toBe(DTYPES[i]);
  });
});

describe("typed arrays per dtype", () => {
  it("itemSize", () => {
    expect(itemSize("float32")).toBe(4);
    expect(itemSize("float64")).toBe(8);
    expect(itemSize("int32")).toBe(4);
    expect(itemSize("bool")).toBe(1);
  });

  it("allocTypedArray gives zero-filled arrays of the right class", () => {
    const f32 = allocTypedArray("float32", 3);
    expect(f32).toBeInstanceOf(Float32Array);
    expect(Array.from(f32)).toEqual([0, 0, 0]);
    expect(allocTypedArray("float64", 2)).toBeInstanceOf(Float64Array);
    expect(allocTypedArray("int32", 2)).toBeInstanceOf(Int32Array);
    const b = allocTypedArray("bool", 5);
    expect(b).toBeInstanceOf(Uint8Array);
    expect(b.byteLength).toBe(5);
    expect(allocTypedArray("float32", 0).length).toBe(0);
  });

  it("typedArrayConstructor", () => {
    expect(typedArrayConstructor("int32")).toBe(Int32Array);
    expect(typedArrayConstructor("bool").BYTES_PER_ELEMENT).toBe(1);
    const view = new (typedArrayConstructor("float64"))(new ArrayBuffer(32), 8, 2);
    expect(view.length).toBe(2);
  });

  it("isFloatingPoint", () => {
    expect(DTYPES.filter(isFloatingPoint)).toEqual(["float32", "float64"]);
  });
});

describe("isDType / assertDType", () => {
  it("accepts exactly the four dtype names", () => {
    for (const d of DTYPES) expect(isDType(d)).toBe(true);
    for (const v of ["float16", "Float32", "", "int64", 4, null, undefined, {}]) expect(isDType(v)).toBe(false);
  });

  it("does not accept Object.prototype member names (regression)", () => {
    for (const v of ["toString", "constructor", "hasOwnProperty", "__proto__", "valueOf"]) expect(isDType(v)).toBe(false);
  });

  it("assertDType throws a DTypeError naming the caller and the valid dtypes", () => {
    expect(() => assertDType("float32", "zeros")).not.toThrow();
    const call = () => assertDType("float16", "zeros");
    expect(call).toThrow(DTypeError);
    expect(call).toThrow('zeros: unknown dtype "float16". Use one of bool, int32, float32, float64.');
    expect(() => assertDType("constructor", "zeros")).toThrow(DTypeError);
  });
});
