#!/usr/bin/env node
/**
 * `pnpm bench`: Tessera against TensorFlow.js (CPU and WASM backends), measured in the same
 * process, printed as one table. Usage: node src/main.mjs [--quick] [--only <group>[,<group>]]
 */
import os from "node:os";
import { LIBS, initLibraries } from "./libs.mjs";
import { PROFILES } from "./timing.mjs";
import * as overhead from "./groups/overhead.mjs";
import * as autograd from "./groups/autograd.mjs";
import * as elementwise from "./groups/elementwise.mjs";
import * as matmul from "./groups/matmul.mjs";

const GROUPS = { overhead, autograd, elementwise, matmul };

const USAGE = `usage: node src/main.mjs [--quick] [--only <group>[,<group>…]]

  --quick   few, short iterations and no 1024 matmul: a smoke run (seconds), not numbers to quote
  --only    run only these groups: ${Object.keys(GROUPS).join(", ")}`;

function parseArgs(argv) {
  const opts = { quick: false, only: Object.keys(GROUPS) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") opts.quick = true;
    else if (arg === "--only" || arg.startsWith("--only=")) {
      const list = arg === "--only" ? argv[++i] : arg.slice("--only=".length);
      opts.only = (list ?? "").split(",").filter(Boolean);
      const unknown = opts.only.filter((g) => !(g in GROUPS));
      if (opts.only.length === 0 || unknown.length > 0) fail(`--only: unknown group ${unknown.join(", ") || "(none given)"}`);
    } else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${arg}`);
  }
  return opts;
}

function fail(message) {
  console.error(`bench: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** Three significant digits, without exponent notation for the ranges printed here. */
function fmt(x) {
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
  if (t === undefined || o === undefined) return "–";
  const r = row.better === "lower" ? o / t : t / o;
  return `${r.toFixed(2)}×`;
}

function printTable(rows) {
  const header = ["case", "unit", ...LIBS, "vs tfjs-cpu", "vs tfjs-wasm"];
  const body = rows.map((r) => [r.name, r.unit, ...LIBS.map((lib) => fmt(r.value[lib])), ratio(r, "tfjs-cpu"), ratio(r, "tfjs-wasm")]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const b of body) console.log(line(b));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const profile = opts.quick ? PROFILES.quick : PROFILES.full;
  const facts = await initLibraries();
  const cpus = os.cpus();
  console.log(`machine: ${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${os.platform()}-${os.arch()}, Node ${process.version}`);
  console.log(
    `peers:   tfjs-core ${facts.tfjsVersion}; tfjs-wasm SIMD ${facts.wasmSimd ? "on" : "off"}, threads ${facts.wasmThreads ? "on" : "off"}`,
  );
  console.log(
    `method:  ${opts.quick ? "QUICK smoke run, numbers are rough; " : ""}warm-up ${profile.warmupMs} ms, then median of ${profile.minBatches}–${profile.batches} batches of ~${profile.batchMs} ms`,
  );
  console.log("ratio:   how many times faster Tessera is (>1: Tessera faster)\n");

  const t0 = Date.now();
  const rows = [];
  for (const name of opts.only) {
    const groupRows = await GROUPS[name].run(profile, opts);
    rows.push(...groupRows);
  }
  printTable(rows);
  console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

await main();
