/**
 * State dicts as safetensors files (Hugging Face's format), with PyTorch's names and dtypes,
 * so weights move between Tessera and PyTorch in both directions.
 *
 * - `serialize` / `serializeAsync` / `deserialize` work on bytes (browsers and Node);
 *   `saveFile` (atomic) and `loadFile` work on files (Node).
 * - `readMetadata` / `readHeader` inspect a file without creating tensors.
 * - Every malformed file is a {@link SafetensorsError} that says what is wrong.
 *
 * Format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each tensor
 * name to `{ dtype, shape, data_offsets: [begin, end] }` (plus an optional `__metadata__`
 * map of strings), then the tensors' bytes, little-endian and row-major, which must cover
 * the rest of the file exactly.
 *
 * @example
 * import { safetensors } from "@tessera/nn";
 * await safetensors.saveFile("mlp.safetensors", model.stateDict());
 * model.loadStateDict(await safetensors.loadFile("mlp.safetensors"));
 *
 * @packageDocumentation
 */
export { SafetensorsError } from "./errors.js";
export { serialize, serializeAsync } from "./serialize.js";
export type { SerializeOptions } from "./plan.js";
export { deserialize, readMetadata, readHeader, type DeserializeOptions } from "./deserialize.js";
export type { SafetensorsHeader, TensorInfo } from "./header.js";
export { MAX_HEADER_BYTES } from "./header.js";
export { saveFile, loadFile } from "./file.js";
