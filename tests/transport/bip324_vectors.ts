/** BIP324's vector files in ../shared/vectors/bip324/, read as rows of named hex columns. */
import { vectorJson, vectorText } from "../support/vectors.ts";

/** One CSV row: column name → cell text (hex, a number, or a comment). */
export type CsvRow = Readonly<Record<string, string>>;

/** The rows of `bip324/<name>` (a header line, then comma-separated cells without quoting). */
export function bip324Csv(name: string): CsvRow[] {
  const [header, ...lines] = vectorText(`bip324/${name}`).trim().split("\n");
  const columns = header.trim().split(",");
  return lines.map((line) => {
    const cells = line.trim().split(",");
    if (cells.length !== columns.length) throw new Error(`${name}: row of ${cells.length} cells`);
    return Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
  });
}

/** bip324/constants.json, the parts the tests read. */
export const BIP324_CONSTANTS: {
  message_type_ids: Record<string, string>;
  hkdf: { salt_hex_by_network: Record<string, string> };
  lengths: { core_max_contents_accepted: number; max_garbage: number };
  rekey_interval: number;
} = vectorJson("bip324/constants.json");

/** Mainnet's magic in wire order: the network of the packet vectors. */
export const MAINNET_MAGIC = new Uint8Array([0xf9, 0xbe, 0xb4, 0xd9]);
