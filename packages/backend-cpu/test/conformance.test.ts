/**
 * The shared conformance suite of `@tessera/backend/testing`: every catalog op against its
 * reference kernel on contiguous, strided, broadcast and zero-size inputs. The CPU backend
 * skips nothing.
 */
import { describeConformance } from "@tessera/backend/testing";
import { cpuBackend } from "../src/index.js";

describeConformance(cpuBackend, { skip: {} });
