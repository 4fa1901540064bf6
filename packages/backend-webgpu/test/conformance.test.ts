/**
 * The shared conformance suite of `@tessera/backend/testing` on a real Dawn device: every
 * catalog op against its reference kernel on contiguous, transposed, sliced, broadcast and
 * zero-size inputs and strided output views, for float32, int32 and bool. Skips nothing.
 */
import { describeConformance } from "@tessera/backend/testing";
import { webgpu } from "./setup-device.js";

describeConformance(webgpu, { skip: {} });
