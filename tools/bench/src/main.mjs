#!/usr/bin/env node
/**
 * `pnpm bench`: Tessera against TensorFlow.js, measured in the same process, printed as one
 * table. On the CPU (default) the peers are tfjs's CPU and WASM backends; with
 * `--device webgpu`, Tessera's WebGPU backend runs against tfjs's WebGPU backend on the same
 * Dawn. Usage: node src/main.mjs [--device cpu|webgpu] [--quick] [--only <group>[,<group>]]
 */
import os from "node:os";
import { LIBS, initLibraries } from "./libs.mjs";
import { PROFILES } from "./timing.mjs";
import { gpuOrRerun } from "./webgpu-env.mjs";
import * as overhead from "./groups/overhead.mjs";
import * as autograd from "./groups/autograd.mjs";
import * as elementwise from "./groups/elementwise.mjs";
import * as matmul from "./groups/matmul.mjs";
import * as training from "./groups/training.mjs";

/** The groups of each device, in the order they run. */
const GROUPS = {
  cpu: { overhead, autograd, elementwise, matmul, training },
  webgpu: { matmul, elementwise, training },
};

const USAGE = `usage: node src/main.mjs [--device cpu|webgpu] [--quick] [--only <group>[,<group>…]]

  --device  cpu (default): Tessera's CPU backend against tfjs-cpu and tfjs-wasm.
            webgpu: Tessera's WebGPU backend against tfjs-webgpu, both on Dawn (the \`webgpu\`
            package). Without a GPU it falls back to SwiftShader where installed (numbers
            then mean nothing) and runs smaller sizes.
  --quick   few, short iterations and fewer sizes: a smoke run, not numbers to quote
  --only    run only these groups (default: all groups of the device)

groups (cpu: all five; webgpu: matmul, elementwise, training):
  overhead     µs per add on [1] and [10, 10], result created and disposed       (cpu)
  autograd     µs per (a*b+c).sum().backward() on [10, 10]                        (cpu)
  elementwise  add and exp: Gelem/s on 1e6 (cpu); GB/s read+written on 1e6, 1e7 (webgpu)
  matmul       square float32 matmul in GFLOP/s: n = 64…1024 (cpu), 256…4096 (webgpu)
  training     steps/s of forward, cross-entropy, zeroGrad, backward, Adam step:
               MLP 784-256-256-10 batch 128, CNN conv8-conv16-fc10 batch 64 on 28×28;
               on the CPU also PyTorch at 1 and 2 threads where a python3 has torch
               (pytorch/train_steps.py), else a line says why not`;

function parseArgs(argv) {
  const opts = { quick: false, device: "cpu", only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") opts.quick = true;
    else if (arg === "--") continue;
    else if (arg === "--device" || arg.startsWith("--device=")) {
      opts.device = arg === "--device" ? argv[++i] : arg.slice("--device=".length);
      if (!(opts.device in GROUPS)) fail(`--device: expected cpu or webgpu, got ${opts.device ?? "(nothing)"}`);
    } else if (arg === "--only" || arg.startsWith("--only=")) {
      const list = arg === "--only" ? argv[++i] : arg.slice("--only=".length);
      opts.only = (list ?? "").split(",").filter(Boolean);
      if (opts.only.length === 0) fail("--only: no group given");
    } else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${arg}`);
  }
  const groups = GROUPS[opts.device];
  if (opts.only === null) opts.only = Object.keys(groups);
  const unknown = opts.only.filter((g) => !(g in groups));
  if (unknown.length > 0) fail(`--only: no group ${unknown.join(", ")} on device ${opts.device} (there: ${Object.keys(groups).join(", ")})`);
  return opts;
}

function fail(message) {
  console.error(`bench: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** Three significant digits, without exponent notation for the ranges printed here. */
function fmt(x) {
  if (typeof x === "object" && x !== null && "cannot" in x) return `cannot: ${x.cannot}`;
  if (x === undefined || !Number.isFinite(x)) return "–";
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** How many times faster Tessera is than `other` (>1: Tessera is faster). */
function ratio(row, other) {
  const t = row.value.tessera;
  const o = row.value[other];
  if (typeof t !== "number" || typeof o !== "number") return "–";
  const r = row.better === "lower" ? o / t : t / o;
  return `${r.toFixed(2)}×`;
}

function printTable(rows) {
  // The libraries of this device, then any a group adds for its own rows (PyTorch in training).
  const libs = [...LIBS];
  for (const r of rows) for (const lib of Object.keys(r.value)) if (!libs.includes(lib)) libs.push(lib);
  const peers = libs.slice(1);
  const header = ["case", "unit", ...libs, ...peers.map((p) => `vs ${p}`)];
  const body = rows.map((r) => [r.name, r.unit, ...libs.map((lib) => fmt(r.value[lib])), ...peers.map((p) => ratio(r, p))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const b of body) console.log(line(b));
  for (const r of rows) {
    for (const lib of libs) {
      const v = r.value[lib];
      if (typeof v === "object" && v !== null) console.log(`\n${lib} cannot run "${r.name}": ${v.detail}.`);
    }
  }
  // Lines a group attaches to its rows (the training group: which PyTorch and BLAS, or why none).
  for (const r of rows) for (const note of r.notes ?? []) console.log(`\n${note}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const profile = opts.quick ? PROFILES.quick : PROFILES.full;
  const gpu = opts.device === "webgpu" ? await gpuOrRerun() : undefined;
  const facts = await initLibraries({ device: opts.device, gpu });
  opts.swiftshader = facts.swiftshader === true;
  const cpus = os.cpus();
  console.log(`machine: ${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${os.platform()}-${os.arch()}, Node ${process.version}`);
  if (opts.device === "cpu") {
    console.log(
      `peers:   tfjs-core ${facts.tfjsVersion}; tfjs-wasm SIMD ${facts.wasmSimd ? "on" : "off"}, threads ${facts.wasmThreads ? "on" : "off"}`,
    );
  } else {
    const { vendor, architecture, description } = facts.adapter;
    console.log(`device:  webgpu on Dawn; adapter: ${[vendor, architecture].filter(Boolean).join(" ") || "unknown"}${description ? ` (${description})` : ""}`);
    console.log(`peers:   tfjs-core ${facts.tfjsVersion} with tfjs-backend-webgpu, on its own device of the same adapter`);
    if (opts.swiftshader) {
      console.log(`warning: adapter: ${vendor} ${architecture} — timings are not a GPU's (SwiftShader runs on the CPU); only a smoke run.`);
      console.log(
        `         Smaller sizes on SwiftShader: matmul ${matmul.sizes(opts).join(", ")} only; elementwise ${elementwise.sizes(opts).map((s) => s.label).join(", ")} only.`,
      );
    }
  }
  console.log(
    `method:  ${opts.quick ? "QUICK smoke run, numbers are rough; " : ""}warm-up ${profile.warmupMs} ms (training ${opts.quick ? profile.warmupMs : 1500} ms), then median of ${profile.minBatches}–${profile.batches} batches of ~${profile.batchMs} ms` +
      (opts.device === "webgpu" ? "; each batch ends with await data() of its last result" : ""),
  );
  console.log("ratio:   how many times faster Tessera is (>1: Tessera faster)\n");

  const t0 = Date.now();
  const rows = [];
  for (const name of opts.only) {
    const groupRows = await GROUPS[opts.device][name].run(profile, opts);
    rows.push(...groupRows);
  }
  printTable(rows);
  console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

await main();
// Dawn's instance keeps the event loop alive after the run: end the process with the status the run set.
process.exit(process.exitCode ?? 0);
