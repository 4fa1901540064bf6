import { hasBackend, registerBackend } from "@tessera/backend";
import { cpuBackend } from "@tessera/backend-cpu";

if (!hasBackend("cpu")) registerBackend(cpuBackend);
