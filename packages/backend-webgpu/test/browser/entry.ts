/**
 * The browser page of `test/browser.test.ts`, bundled by esbuild from the workspace's
 * TypeScript sources. It starts WebGPU from `navigator.gpu`, runs the conformance cases of
 * every catalog op (every dtype the backend declares, inputs contiguous / transposed / sliced /
 * broadcast, strided output views, zero-size) with `checkOpCase`, then trains a small MLP for
 * a few Adam steps on "webgpu" and on "cpu" from the same seed and compares the losses. The
 * result goes to `window.__TESSERA_BROWSER_RESULT__` and to the console as one JSON line.
 *
 * Query string: `?maxCases=N` caps the regular cases per op, dtype and layout; `?steps=N`.
 */
import { type Tensor, manualSeed, nn, optim, randint, randn } from "tessera";
import { type OpName, OP_NAMES, getOpSchema } from "@tessera/kernels";
import { INPUT_LAYOUTS, type OpCase, checkOpCase, formatMismatches, planOp } from "@tessera/backend/testing";
import { type WebGPUBackend, initWebGPU } from "../../src/index.js";
import { type BrowserFailure, type BrowserResult, type PageOptions, RESULT_PREFIX } from "./result.js";

function readOptions(): PageOptions {
  const query = new URLSearchParams(location.search);
  const int = (key: string): number | undefined => {
    const raw = query.get(key);
    if (raw === null) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`browser page: ?${key}= must be a positive integer, got "${raw}"`);
    return n;
  };
  return { maxCases: int("maxCases"), steps: int("steps") };
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The output views tried for ops whose schema allows strided outputs (as the vitest suite). */
const OUTPUT_LAYOUTS = ["sliced", "transposed"] as const;

async function runConformance(backend: WebGPUBackend, maxCases: number | undefined): Promise<NonNullable<BrowserResult["conformance"]>> {
  const start = performance.now();
  const failures: BrowserFailure[] = [];
  const families: Record<string, { ops: number; checks: number }> = {};
  const opsWithoutCases: string[] = [];
  let ops = 0;
  let checks = 0;

  const run = async (op: OpName, dtype: string, variant: string, cases: readonly OpCase[], options: Parameters<typeof checkOpCase>[3]) => {
    for (const c of cases) {
      checks++;
      families[getOpSchema(op).family]!.checks++;
      try {
        const mismatches = await checkOpCase(backend, op, c, options);
        if (mismatches.length > 0) failures.push({ op, dtype, variant, case: c.name, message: `${mismatches.length} mismatches\n${formatMismatches(mismatches, 5)}` });
      } catch (error) {
        failures.push({ op, dtype, variant, case: c.name, message: message(error) });
      }
    }
  };

  for (const op of OP_NAMES) {
    const schema = getOpSchema(op);
    families[schema.family] ??= { ops: 0, checks: 0 };
    if (backend.kernels[op] === undefined) {
      failures.push({ op, dtype: "-", variant: "-", case: "-", message: `backend "${backend.name}" does not implement ${op}` });
      continue;
    }
    const plan = planOp(backend, op);
    if (plan.dtypes.length === 0) {
      opsWithoutCases.push(op);
      continue;
    }
    ops++;
    families[schema.family]!.ops++;
    const layouts = schema.inputs.length > 0 ? INPUT_LAYOUTS : INPUT_LAYOUTS.slice(0, 1);
    for (const { dtype, regular: all, zeroSize } of plan.dtypes) {
      const regular = maxCases === undefined ? all : all.slice(0, maxCases);
      for (const inputLayout of layouts) await run(op, dtype, `${inputLayout} inputs`, regular, { inputLayout });
      if (schema.stridedOutput) {
        for (const outputLayout of OUTPUT_LAYOUTS) await run(op, dtype, `${outputLayout} output view`, regular, { outputLayout });
      }
      await run(op, dtype, "zero-size", zeroSize, {});
    }
  }
  return { ops, opsWithoutCases, families, checks, failures, ms: Math.round(performance.now() - start) };
}

/** A 8 → 16 → 4 MLP trained with Adam on cross entropy; the same weights and data on every device. */
async function train(device: "cpu" | "webgpu", steps: number): Promise<{ losses: number[]; params: Float32Array[] }> {
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 4));
  const x = randn([24, 8]);
  const labels = randint(0, 4, [24]);
  model.to(device);
  const input = x.to(device);
  const target = labels.to(device);
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    optimizer.zeroGrad();
    const loss: Tensor = criterion.forward(model.forward(input), target);
    loss.backward();
    optimizer.step();
    losses.push(await loss.item());
    loss.dispose();
  }
  const params: Float32Array[] = [];
  for (const p of model.parameters()) params.push(Float32Array.from(await p.data()));
  model.dispose();
  return { losses, params };
}

async function runTraining(steps: number): Promise<NonNullable<BrowserResult["training"]>> {
  const start = performance.now();
  const cpu = await train("cpu", steps);
  const gpu = await train("webgpu", steps);
  let maxLossRelDiff = 0;
  for (let i = 0; i < steps; i++) {
    const e = cpu.losses[i]!;
    const a = gpu.losses[i]!;
    const diff = Number.isFinite(a) && Number.isFinite(e) ? Math.abs(a - e) / Math.max(Math.abs(e), 1e-6) : Infinity;
    maxLossRelDiff = Math.max(maxLossRelDiff, diff);
  }
  let maxParamDiff = 0;
  for (let k = 0; k < cpu.params.length; k++) {
    const e = cpu.params[k]!;
    const a = gpu.params[k];
    if (a === undefined || a.length !== e.length) {
      maxParamDiff = Infinity;
      continue;
    }
    for (let i = 0; i < e.length; i++) {
      const d = Math.abs(a[i]! - e[i]!) / (1 + Math.abs(e[i]!));
      maxParamDiff = Math.max(maxParamDiff, Number.isNaN(d) ? Infinity : d);
    }
  }
  return {
    steps,
    cpuLosses: cpu.losses,
    webgpuLosses: gpu.losses,
    maxLossRelDiff,
    maxParamDiff,
    ms: Math.round(performance.now() - start),
  };
}

async function main(): Promise<BrowserResult> {
  const start = performance.now();
  const userAgent = navigator.userAgent;
  let adapter: string | undefined;
  try {
    const options = readOptions();
    const backend = await initWebGPU();
    const info = backend.device.adapterInfo;
    adapter = info === undefined ? "unknown" : `${info.vendor}/${info.architecture}`;
    const conformance = await runConformance(backend, options.maxCases);
    const training = await runTraining(options.steps ?? 5);
    await backend.sync();
    const ok =
      conformance.failures.length === 0 &&
      conformance.opsWithoutCases.length === 0 &&
      training.maxLossRelDiff <= 1e-4 &&
      training.maxParamDiff <= 1e-4;
    return { ok, userAgent, adapter, conformance, training, ms: Math.round(performance.now() - start) };
  } catch (error) {
    const fatal = error instanceof Error ? (error.stack ?? message(error)) : String(error);
    return { ok: false, fatal, userAgent, adapter, ms: Math.round(performance.now() - start) };
  }
}

void main().then((result) => {
  window.__TESSERA_BROWSER_RESULT__ = result;
  console.log(RESULT_PREFIX + JSON.stringify(result));
  const status = document.getElementById("status");
  if (status) status.textContent = result.ok ? "passed" : "failed";
});
