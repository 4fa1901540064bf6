/**
 * Option checks shared by the optimizers and schedulers. Each throws an {@link OptimError}
 * that names the owner (`"Adam"`, `"Adam (param group 1)"`), the option and the value.
 */
import { OptimError } from "./errors.js";

/** A value as it should read in a message: strings quoted, arrays bracketed. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (value !== null && typeof value === "object") return Object.prototype.toString.call(value);
  return String(value);
}

function fail(where: string, name: string, value: unknown, rule: string): never {
  throw new OptimError(`${where}: invalid ${name}: ${show(value)}; it must be ${rule}.`);
}

/** `value` is a finite-or-infinite number that is not NaN. */
export function checkNumber(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || Number.isNaN(value)) fail(where, name, value, "a number");
}

/** `value` is a number >= 0. */
export function checkNonNegative(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !(value >= 0)) fail(where, name, value, "a number >= 0");
}

/** `value` is a number in `[0, 1)`. */
export function checkUnitInterval(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !(value >= 0 && value < 1)) fail(where, name, value, "a number in [0, 1)");
}

/** `value` is a number in `[0, 1]`. */
export function checkClosedUnitInterval(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) fail(where, name, value, "a number in [0, 1]");
}

/** `value` is an integer >= `min`. */
export function checkInteger(where: string, name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) fail(where, name, value, `an integer >= ${min}`);
}

/** `value` is a boolean. */
export function checkBoolean(where: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== "boolean") fail(where, name, value, "true or false");
}

/** `value` is one of `choices`. */
export function checkChoice<T extends string>(where: string, name: string, value: unknown, choices: readonly T[]): asserts value is T {
  if (!choices.includes(value as T)) fail(where, name, value, `one of ${choices.map(show).join(", ")}`);
}

/** Adam's `betas`: two numbers, each in `[0, 1)`. */
export function checkBetas(where: string, value: unknown): asserts value is readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2) fail(where, "betas", value, "a pair [beta1, beta2]");
  checkUnitInterval(where, "betas[0]", value[0]);
  checkUnitInterval(where, "betas[1]", value[1]);
}

/**
 * A number, or one number per param group (`maxLr`, `minLr`, …), as an array of `count`.
 */
export function perGroup(where: string, name: string, value: number | readonly number[], count: number): number[] {
  if (Array.isArray(value)) {
    if (value.length !== count) {
      throw new OptimError(`${where}: expected ${count} values for ${name} (one per param group), got ${value.length}: ${show(value)}.`);
    }
    value.forEach((v, i) => checkNumber(where, `${name}[${i}]`, v));
    return [...value];
  }
  checkNumber(where, name, value);
  return new Array<number>(count).fill(value as number);
}
