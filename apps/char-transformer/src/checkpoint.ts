/**
 * Saved models: one safetensors file with the model's state dict under PyTorch's names, and in
 * the metadata what is needed to rebuild it: the architecture and the vocabulary.
 */
import { readFile } from "node:fs/promises";
import * as ts from "tessera";
import { CharVocab } from "./data.js";
import { CharTransformer, checkConfig, type ModelConfig } from "./model.js";

/** A checkpoint that cannot be used: the message names the file and why. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/** The metadata key holding the architecture and vocabulary (JSON). */
const METADATA_KEY = "tessera.char-transformer";

/** What the metadata records besides the tensors. */
interface CheckpointInfo {
  config: ModelConfig;
  /** The vocabulary's characters, in id order. */
  vocab: string[];
  /** Optimizer steps the weights have seen in all. */
  steps: number;
}

/**
 * Writes `model` (state-dict keys as PyTorch would name them, `format: "pt"`) with its
 * architecture, `vocab` and the number of steps it was trained for. Atomic: a temporary file
 * is renamed over `path`, so an interrupted write never leaves half a checkpoint.
 *
 * @example await saveModel("char.safetensors", model, vocab, 400);
 */
export async function saveModel(path: string, model: CharTransformer, vocab: CharVocab, steps: number): Promise<void> {
  const info: CheckpointInfo = { config: { ...model.config }, vocab: [...vocab.chars], steps };
  const state = model.stateDict();
  try {
    await ts.nn.safetensors.saveFile(path, state, { metadata: { format: "pt", [METADATA_KEY]: JSON.stringify(info) } });
  } catch (e) {
    throw new CheckpointError(`cannot write --save ${path}: ${(e as Error).message}`);
  } finally {
    for (const t of Object.values(state)) t.dispose();
  }
}

/** A model restored by {@link loadModel}. */
export interface LoadedModel {
  model: CharTransformer;
  vocab: CharVocab;
  /** Optimizer steps the weights had seen when saved. */
  steps: number;
}

/**
 * Rebuilds the model saved at `path` by {@link saveModel}: its architecture and vocabulary from
 * the metadata, its weights from the tensors. A missing file, a file that is not safetensors,
 * one written by another program and one whose tensors don't fit are {@link CheckpointError}s
 * that say which.
 *
 * @example const { model, vocab } = await loadModel("char.safetensors");
 */
export async function loadModel(path: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") throw new CheckpointError(`--load ${path}: no such file. Pass a .safetensors file written with --save.`);
    throw new CheckpointError(`--load ${path} cannot be read: ${err.message}`);
  }
  let metadata: Record<string, string> | null;
  let tensors: Record<string, ts.Tensor>;
  try {
    metadata = ts.nn.safetensors.readMetadata(bytes);
    tensors = ts.nn.safetensors.deserialize(bytes);
  } catch (e) {
    throw new CheckpointError(`--load ${path} is not a valid safetensors file: ${(e as Error).message}`);
  }
  try {
    const raw = metadata?.[METADATA_KEY];
    if (raw === undefined) {
      throw new CheckpointError(`--load ${path} was not written by this program (its metadata has no "${METADATA_KEY}" entry). Pass a file written with --save.`);
    }
    let info: CheckpointInfo;
    try {
      info = JSON.parse(raw) as CheckpointInfo;
      checkConfig(info.config);
      if (!Array.isArray(info.vocab) || info.vocab.length !== info.config.vocabSize) throw new Error("the vocabulary does not match vocabSize");
    } catch (e) {
      throw new CheckpointError(`--load ${path} has corrupt metadata: ${(e as Error).message}`);
    }
    const vocab = new CharVocab(info.vocab);
    const model = new CharTransformer(info.config);
    try {
      model.loadStateDict(tensors);
    } catch (e) {
      model.dispose();
      throw new CheckpointError(`--load ${path} does not fit the model its metadata describes: ${(e as Error).message}`);
    }
    return { model, vocab, steps: Number.isInteger(info.steps) ? info.steps : 0 };
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
