/**
 * Starts one WebGPU device for a test file. There is no skipping: without an adapter this
 * throws, and every test of the file fails with the message that says what to install.
 */
import { initWebGPU, type WebGPUBackend } from "../src/index.js";

export const webgpu: WebGPUBackend = await initWebGPU();
