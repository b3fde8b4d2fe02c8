import { inject } from "vitest";
import { TEMPLATE_ENV } from "./template";

// A server a test starts in a child process inherits the environment, and with it the template's path.
process.env[TEMPLATE_ENV] = inject("templateDatabase");
