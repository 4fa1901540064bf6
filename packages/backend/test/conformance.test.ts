// The suite run on the reference backend: it must be green by construction.
import { describeConformance, createReferenceBackend } from "../src/testing/index.js";

describeConformance(createReferenceBackend());
