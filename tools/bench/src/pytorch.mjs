/**
 * The PyTorch reference for the training group: runs `pytorch/train_steps.py` (the same MLP
 * and CNN steps in PyTorch, at 1 and 2 threads) in a Python that has torch, and reads its
 * JSON. PyTorch is optional: without it, the training group says why and goes on.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../pytorch/train_steps.py", import.meta.url));

/**
 * Where to look for a Python with torch, in order: Debian's python3-torch lives in
 * /usr/bin/python3, while `python3` on the PATH may be another interpreter (pyenv, a venv).
 * `TESSERA_BENCH_PYTHON` replaces the list with one interpreter; set to "" it turns PyTorch off.
 */
function candidates() {
  const chosen = process.env.TESSERA_BENCH_PYTHON;
  if (chosen === undefined) return ["/usr/bin/python3", "python3"];
  return chosen === "" ? [] : [chosen];
}

/** The thread counts PyTorch runs with (torch.set_num_threads). */
export const TORCH_THREADS = [1, 2];

function run(file, args, timeoutMs) {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 << 20, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ error, stdout, stderr }),
    );
  });
}

/** The last non-empty line of `text`, shortened: a Python error's own message. */
function lastLine(text) {
  const line = String(text ?? "").trim().split("\n").pop() ?? "";
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

function why(error, stderr) {
  if (error?.code === "ENOENT") return "not found";
  if (error?.killed) return "timed out";
  return lastLine(stderr) || String(error?.message ?? error);
}

/**
 * The first candidate Python that imports torch within 30 s, as `{ python, version }`, or
 * `{ skipped }` saying what each candidate lacked.
 */
export async function findTorch() {
  const list = candidates();
  if (list.length === 0) return { skipped: "turned off (TESSERA_BENCH_PYTHON is empty)" };
  const reasons = [];
  for (const python of list) {
    const { error, stdout, stderr } = await run(python, ["-c", "import torch; print(torch.__version__)"], 30_000);
    if (!error) return { python, version: stdout.trim() };
    reasons.push(`${python}: ${why(error, stderr)}`);
  }
  return { skipped: `no Python with torch (${reasons.join("; ")}); on Debian: apt install python3-torch` };
}

/**
 * Runs the PyTorch training steps once, for every thread count in {@link TORCH_THREADS}.
 * `data` maps "mlp" and "cnn" to `{ weights, x, labels }` (the weights by PyTorch state-dict
 * key, the same Tessera starts from): PyTorch then trains from the same weights on the same
 * batch and also reports the losses of its first two steps. Returns the script's JSON plus
 * `python`, or `{ skipped }` / `{ failed }` with the reason.
 */
export async function runPyTorch({ quick, data }) {
  const found = await findTorch();
  if (found.skipped) return found;
  const dir = mkdtempSync(path.join(os.tmpdir(), "tessera-bench-"));
  try {
    const dataFile = path.join(dir, "data.json");
    writeFileSync(dataFile, JSON.stringify(data, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v)));
    const args = [SCRIPT, "--threads", TORCH_THREADS.join(","), "--data", dataFile, ...(quick ? ["--quick"] : [])];
    const { error, stdout, stderr } = await run(found.python, args, 300_000);
    if (error) return { failed: `${found.python} ${path.relative(process.cwd(), SCRIPT)}: ${why(error, stderr)}` };
    try {
      return { ...JSON.parse(stdout.trim().split("\n").pop()), python: found.python };
    } catch {
      return { failed: `${found.python} ${path.relative(process.cwd(), SCRIPT)} printed no JSON: ${lastLine(stdout)}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line naming PyTorch's version and the BLAS its figures used. */
export function describeTorch(result) {
  const { blas } = result;
  const lib = blas.libraries?.length ? ` (${blas.libraries.map((p) => path.basename(p)).join(", ")})` : "";
  const hint = blas.name === "reference" ? " — install libopenblas0 for OpenBLAS" : "";
  const conv = blas.mkldnn ? "; convolutions on oneDNN" : "";
  return `PyTorch ${result.torch} (${result.python}), BLAS: ${blas.name}${lib}${hint}${conv}`;
}
