import { describe, expect, test } from "bun:test";
import {
  ConfigError,
  parseConfigFile,
  parseEnv,
  parseFlags,
  resolveOptions,
} from "../../src/config/load.ts";
import { helpText } from "../../src/config/help.ts";
import { envOf, flagOf, optionsSchema } from "../../src/config/options.ts";

describe("configuration", () => {
  test("defaults fill every option", () => {
    const o = resolveOptions([]);
    expect(o.network).toBe("main");
    expect(o.targetoutbound).toBe(8);
    expect(o.maxpeers).toBe(125);
    expect(o.dnsseed).toBe(true);
    expect(o.listen).toEqual([]);
    expect(o.handshaketimeout).toBe(30);
  });

  test("flags in both spellings, repeatable and boolean", () => {
    const { values, help } = parseFlags([
      "--network=regtest",
      "--listen",
      "127.0.0.1:18444",
      "--listen=[::1]:18444",
      "--connect=10.0.0.1:8333",
      "--dnsseed=false",
      "--api-token=abcdefghijklmnopqrst",
    ]);
    expect(help).toBe(false);
    const o = resolveOptions([["flag", values]]);
    expect(o.network).toBe("regtest");
    expect(o.listen).toEqual(["127.0.0.1:18444", "[::1]:18444"]);
    expect(o.connect).toEqual(["10.0.0.1:8333"]);
    expect(o.dnsseed).toBe(false);
    expect(o.apiToken).toBe("abcdefghijklmnopqrst");
    expect(parseFlags(["--help"]).help).toBe(true);
  });

  test("--minimumchainwork takes a hex number of up to 256 bits, with or without 0x", () => {
    expect(resolveOptions([]).minimumchainwork).toBeUndefined();
    for (const value of ["0", "0x1128750f82f4c366153a3a030", "ff".repeat(32)]) {
      const o = resolveOptions([["flag", parseFlags([`--minimumchainwork=${value}`]).values]]);
      expect(o.minimumchainwork).toBe(value);
    }
    for (const value of ["", "0x", "12g", "1".repeat(65), "-1"]) {
      expect(() => resolveOptions([["flag", { minimumchainwork: value }]])).toThrow(
        `invalid --minimumchainwork="${value}": expected a hexadecimal number of at most 64 digits`,
      );
    }
  });

  test("later sources win: defaults < file < env < flags", () => {
    const file = parseConfigFile(
      `{"network":"testnet3","maxpeers":10,"targetoutbound":4}`,
      "x.json",
    );
    const env = parseEnv((name) =>
      ({ BTC_EDGE_NETWORK: "signet", BTC_EDGE_MAXPEERS: "20" } as Record<string, string>)[name]
    );
    const flags = parseFlags(["--network=regtest"]).values;
    const o = resolveOptions([["file", file], ["env", env], ["flag", flags]]);
    expect(o.network).toBe("regtest");
    expect(o.maxpeers).toBe(20);
    expect(o.targetoutbound).toBe(4);
  });

  test("an invalid option names the option, the value and what is expected", () => {
    const bad = (args: string[]) => {
      try {
        resolveOptions([["flag", parseFlags(args).values]]);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error("accepted " + args.join(" "));
    };
    expect(bad(["--maxpeers=abc"])).toBe(`invalid --maxpeers="abc": expected an integer`);
    expect(bad(["--network=moon"])).toContain(
      `invalid --network="moon": expected one of main|testnet3`,
    );
    expect(bad(["--connect=nohostport"])).toContain(
      `invalid --connect="nohostport": expected HOST:PORT`,
    );
    expect(bad(["--listen=1.2.3.4:99999"])).toContain(
      "expected HOST:PORT (port 0 picks a free port) or none",
    );
    expect(bad(["--connect=1.2.3.4:0"])).toContain("expected HOST:PORT");
    expect(resolveOptions([["flag", { listen: ["127.0.0.1:0"] }]]).listen).toEqual(["127.0.0.1:0"]);
    expect(bad(["--targetoutbound=-1"])).toContain("expected at least 0");
    expect(() => parseFlags(["--frobnicate=1"])).toThrow("unknown option --frobnicate");
    expect(() => parseFlags(["stray"])).toThrow("unexpected argument");
    const envErr = () =>
      resolveOptions([["env", parseEnv((n) => (n === "BTC_EDGE_DNSSEED" ? "maybe" : undefined))]]);
    expect(envErr).toThrow(`invalid BTC_EDGE_DNSSEED="maybe": expected true or false`);
    expect(() => resolveOptions([["file", { nope: 1 }]])).toThrow(
      `unknown option config key "nope"`,
    );
    expect(() => parseConfigFile("{", "c.json")).toThrow("config file c.json is not valid JSON");
    expect(() => parseConfigFile("[1]", "c.json")).toThrow("must hold a JSON object");
  });

  test("names: camelCase keys, kebab flags, BTC_EDGE_ environment", () => {
    expect(flagOf("apiToken")).toBe("api-token");
    expect(flagOf("logLevel")).toBe("log-level");
    expect(envOf("apiToken")).toBe("BTC_EDGE_API_TOKEN");
    for (
      const flag of [
        "network",
        "datadir",
        "listen",
        "connect",
        "addnode",
        "seednode",
        "dnsseed",
        "maxpeers",
        "maxpeersperip",
        "targetoutbound",
        "proxy",
        "onion",
        "api",
        "api-token",
        "log-level",
        "log-format",
        "config",
      ]
    ) {
      expect(Object.keys(optionsSchema.shape).map(flagOf)).toContain(flag);
    }
  });

  test("--help lists every option with its description and default", () => {
    const text = helpText("0.1.0");
    for (const key of Object.keys(optionsSchema.shape)) expect(text).toContain(`--${flagOf(key)}`);
    expect(text).toContain("(default 125)");
    expect(text).toContain("BTC_EDGE_API_TOKEN");
  });
});
