/** Node entry hook: sends `bun:test` imports to the shim (used with `node --import`). */
import { register } from "node:module";
register(new URL("./resolve_hook.ts", import.meta.url));
