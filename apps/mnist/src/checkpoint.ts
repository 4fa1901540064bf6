/**
 * Checkpoints: one safetensors file with the model's parameters (PyTorch's names, prefixed
 * `model.`), the optimizer's state tensors (`optimizer.<param>.<name>`), and in the metadata
 * the run's settings, the epoch reached, the optimizer's other state and the curves so far.
 */
import { nn, optim, type Tensor } from "tessera";
import type { ModelKind } from "./options.js";

/** The curves recorded during training. */
export interface History {
  loss: [number, number][];
  trainAccuracy: [number, number][];
  testAccuracy: [number, number][];
}

/** What a checkpoint holds besides the tensors. */
export interface CheckpointInfo {
  model: ModelKind;
  seed: number;
  epoch: number;
  step: number;
  history: History;
}

/** A checkpoint that cannot be used: the message says which file and why. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/** Writes the checkpoint atomically (temporary file, then rename). */
export async function saveCheckpoint(path: string, model: nn.Module, optimizer: optim.Optimizer, info: CheckpointInfo): Promise<void> {
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(model.stateDict())) tensors[`model.${name}`] = t;
  const sd = optimizer.stateDict();
  const scalars: Record<string, Record<string, number | null>> = {};
  for (const [index, state] of Object.entries(sd.state)) {
    for (const [key, value] of Object.entries(state)) {
      if (value !== null && typeof value === "object") tensors[`optimizer.${index}.${key}`] = value as Tensor;
      else (scalars[index] ??= {})[key] = value as number | null;
    }
  }
  const metadata = {
    format: "pt",
    "tessera.run": JSON.stringify(info),
    "tessera.optimizer": JSON.stringify({ paramGroups: sd.paramGroups, scalars }),
  };
  await nn.safetensors.saveFile(path, tensors, { metadata });
}

/** Reads a checkpoint into `model` and `optimizer`; returns the run info. */
export async function loadCheckpoint(path: string, model: nn.Module, optimizer: optim.Optimizer, expected: ModelKind): Promise<CheckpointInfo> {
  let tensors: Record<string, Tensor>;
  let metadata: Record<string, string> | null;
  try {
    tensors = await nn.safetensors.loadFile(path);
    const { readFile } = await import("node:fs/promises");
    metadata = nn.safetensors.readMetadata(new Uint8Array(await readFile(path)));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") throw new CheckpointError(`checkpoint ${path} does not exist. Pass the path of a .safetensors file written by an earlier run (see --out).`);
    throw new CheckpointError(`checkpoint ${path} is not a valid safetensors file: ${err.message}`);
  }
  const runText = metadata?.["tessera.run"];
  const optimizerText = metadata?.["tessera.optimizer"];
  if (runText === undefined || optimizerText === undefined) {
    throw new CheckpointError(`checkpoint ${path} was not written by this trainer (its metadata has no run information).`);
  }
  let info: CheckpointInfo;
  let optimizerMeta: { paramGroups: optim.OptimizerStateDict["paramGroups"]; scalars: Record<string, Record<string, number | null>> };
  try {
    info = JSON.parse(runText) as CheckpointInfo;
    optimizerMeta = JSON.parse(optimizerText);
  } catch {
    throw new CheckpointError(`checkpoint ${path} has corrupt run metadata.`);
  }
  if (info.model !== expected) {
    throw new CheckpointError(`checkpoint ${path} holds a ${info.model} model, but --model is ${expected}. Pass --model ${info.model}.`);
  }
  const modelState: Record<string, Tensor> = {};
  const state: optim.OptimizerStateDict["state"] = {};
  for (const [key, t] of Object.entries(tensors)) {
    if (key.startsWith("model.")) modelState[key.slice("model.".length)] = t;
    else if (key.startsWith("optimizer.")) {
      const [, index, name] = key.split(".");
      (state[Number(index)] ??= {})[name!] = t;
    }
  }
  for (const [index, values] of Object.entries(optimizerMeta.scalars)) Object.assign((state[Number(index)] ??= {}), values);
  try {
    model.loadStateDict(modelState);
    optimizer.loadStateDict({ state, paramGroups: optimizerMeta.paramGroups });
  } catch (e) {
    throw new CheckpointError(`checkpoint ${path} does not fit this model: ${(e as Error).message}`);
  }
  for (const t of Object.values(tensors)) t.dispose();
  return info;
}
