/**
 * Fixed seeds: addresses of long-running nodes shipped with the program, used
 * only when the address book is still empty after the DNS seeds and
 * `--seednode` peers had their chance. A sample of Bitcoin Core's list
 * (contrib/seeds/nodes_main.txt), one address per /16; the test networks
 * have none here and rely on their DNS seeds.
 */
import type { NetworkName } from "../wire/params.ts";

/** `host:port` texts per network. */
export const FIXED_SEEDS: Readonly<Record<NetworkName, readonly string[]>> = {
  main: [
    "2.39.163.191:8333",
    "3.9.188.44:8333",
    "5.2.23.226:8333",
    "23.175.0.222:8333",
    "31.19.205.19:8333",
    "35.208.62.130:8333",
    "37.60.246.82:8333",
    "45.88.106.107:8333",
    "46.59.40.91:8333",
    "51.154.26.11:8333",
    "62.210.207.63:8333",
    "64.20.45.42:8333",
    "66.35.84.30:8333",
    "77.109.112.223:8333",
    "82.64.49.27:8333",
    "85.214.161.252:8333",
    "88.99.71.213:8333",
    "93.115.26.6:8333",
    "95.211.152.100:8333",
    "128.2.12.38:8333",
    "149.50.101.15:8333",
    "162.55.122.93:8333",
    "185.26.99.171:8333",
    "195.154.172.177:8333",
    "209.141.37.57:8333",
    "213.227.147.244:8333",
  ],
  testnet3: [],
  testnet4: [],
  signet: [],
  regtest: [],
};
