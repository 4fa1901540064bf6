// TODO(helper): Philox 4x32-10.
export function philox4x32(_counter: readonly [number, number, number, number], _key: readonly [number, number]): [number, number, number, number] {
  throw new Error("not implemented");
}
