// The shared conformance suite on the tiny backend: every catalog op, every dtype the backend
// declares, every input layout, against the reference kernels. The skip list is empty: ops
// the backend has not written itself run the reference kernel, so the whole table passes.
import { describeConformance } from "@tessera/backend/testing";
import { createTinyBackend } from "../src/backend.js";

describeConformance(createTinyBackend(), { skip: {} });
