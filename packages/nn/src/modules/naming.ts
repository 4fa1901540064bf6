/**
 * The naming rule that lines Tessera's parameter names up with PyTorch's: a property name in
 * camelCase becomes the snake_case name PyTorch would use for the same attribute.
 */

/**
 * Converts a camelCase property name to PyTorch's snake_case spelling.
 *
 * An underscore goes before an upper-case letter that follows a lower-case letter or a digit,
 * and before the last capital of a run of capitals that is followed by a lower-case letter
 * (so acronyms stay whole); then everything is lower-cased. Names without capitals, digits
 * included, are returned unchanged.
 *
 * @example
 * toSnakeCase("inProjWeight"); // "in_proj_weight"
 * toSnakeCase("outProj");      // "out_proj"
 * toSnakeCase("fc1");          // "fc1"
 * toSnakeCase("myHTTPLayer");  // "my_http_layer"
 */
export function toSnakeCase(name: string): string {
  if (!/[A-Z]/.test(name)) return name;
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const isUpper = c >= "A" && c <= "Z";
    if (isUpper && i > 0) {
      const prev = name[i - 1]!;
      const next = name[i + 1];
      const prevLowerOrDigit = (prev >= "a" && prev <= "z") || (prev >= "0" && prev <= "9");
      const prevUpper = prev >= "A" && prev <= "Z";
      const nextLower = next !== undefined && next >= "a" && next <= "z";
      if (prevLowerOrDigit || (prevUpper && nextLower)) out += "_";
    }
    out += isUpper ? c.toLowerCase() : c;
  }
  return out;
}
