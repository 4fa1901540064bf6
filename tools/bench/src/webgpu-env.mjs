/**
 * The GPU object for `--device webgpu` in Node: Dawn through the `webgpu` package.
 *
 * Dawn needs a Vulkan driver. On a machine with a GPU it finds the GPU's driver by itself, and
 * `VK_ICD_FILENAMES` must stay unset. On a machine without one, SwiftShader (a Vulkan driver
 * that runs on the CPU, shipped with Debian's `chromium` package) serves, but only when the
 * process starts with `VK_ICD_FILENAMES` pointing at its manifest, and with `LD_LIBRARY_PATH`
 * reaching Chromium's Vulkan loader where the system has none: the loader library is found
 * at process start, so neither can be set from inside. Hence {@link gpuOrRerun}: it asks Dawn
 * for an adapter as the environment is; only when there is none, `VK_ICD_FILENAMES` is unset
 * and SwiftShader is installed does it run this same command again with those two variables
 * set, and exit with its status. A user's own settings are never overridden.
 */
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

export const SWIFTSHADER_DIR = "/usr/lib/chromium";
export const SWIFTSHADER_ICD = `${SWIFTSHADER_DIR}/vk_swiftshader_icd.json`;
/** Set in the rerun's environment, so that a rerun that finds no adapter either fails instead of looping. */
const RERUN_MARK = "TESSERA_BENCH_SWIFTSHADER_RERUN";

/**
 * A `GPU` object that has an adapter, with the WebGPU globals (`GPUBufferUsage`, …) defined
 * where missing; or, on a GPU-less machine, a rerun on SwiftShader (this function then never
 * returns). Throws when there is no adapter and no SwiftShader to fall back on.
 */
export async function gpuOrRerun() {
  let mod;
  try {
    mod = await import("webgpu");
  } catch (e) {
    throw new Error(`--device webgpu needs the \`webgpu\` package (Dawn), a devDependency of @tessera/bench: run \`pnpm install\`. (${e.message})`);
  }
  for (const [key, value] of Object.entries(mod.globals)) if (!(key in globalThis)) globalThis[key] = value;
  const gpu = mod.create([]);
  if ((await gpu.requestAdapter()) !== null) return gpu;

  const env = process.env;
  if (env.VK_ICD_FILENAMES === undefined && env[RERUN_MARK] === undefined && existsSync(SWIFTSHADER_ICD)) {
    console.log(`webgpu:  Dawn found no Vulkan driver (a "Couldn't load Vulkan" warning above is expected); running again on SwiftShader:`);
    console.log(`         VK_ICD_FILENAMES=${SWIFTSHADER_ICD} LD_LIBRARY_PATH=…:${SWIFTSHADER_DIR}\n`);
    const rerun = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: "inherit",
      env: {
        ...env,
        VK_ICD_FILENAMES: SWIFTSHADER_ICD,
        LD_LIBRARY_PATH: env.LD_LIBRARY_PATH ? `${env.LD_LIBRARY_PATH}:${SWIFTSHADER_DIR}` : SWIFTSHADER_DIR,
        [RERUN_MARK]: "1",
      },
    });
    process.exit(rerun.status ?? 1);
  }
  throw new Error(
    "--device webgpu: Dawn found no WebGPU adapter. On a machine with a GPU, install its Vulkan driver (and leave VK_ICD_FILENAMES unset). " +
      `Without a GPU, install SwiftShader (\`apt-get install chromium\`) and set VK_ICD_FILENAMES=${SWIFTSHADER_ICD} LD_LIBRARY_PATH=${SWIFTSHADER_DIR}` +
      (env.VK_ICD_FILENAMES === undefined ? "." : ` (VK_ICD_FILENAMES is ${env.VK_ICD_FILENAMES} now).`),
  );
}
