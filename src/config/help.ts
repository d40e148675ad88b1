/** `--help` text, generated from the option schema. */
import { envOf, flagOf, optionsSchema } from "./options.ts";

/** The usage text: one entry per option with its default and environment variable. */
export function helpText(version: string): string {
  const lines = [
    `btc-edge ${version}: a Bitcoin peer-to-peer edge node`,
    "",
    "Usage: btc-edge [--option=value ...]",
    "Sources, later wins: defaults < --config file < BTC_EDGE_* environment < flags.",
    "",
    "Options:",
  ];
  for (const [key, schema] of Object.entries(optionsSchema.shape)) {
    const parsed = schema.safeParse(undefined);
    const def = parsed.success && parsed.data !== undefined &&
        !(Array.isArray(parsed.data) && !parsed.data.length)
      ? ` (default ${String(parsed.data)})`
      : "";
    lines.push(`  --${flagOf(key)}`.padEnd(24) + `${schema.description ?? ""}${def}`);
    lines.push(" ".repeat(24) + `env ${envOf(key)}`);
  }
  return lines.join("\n") + "\n";
}
