/**
 * The route table of the status API: for each route its method, path,
 * whether it needs the bearer token, the schemas of its path parameters,
 * query and body, and every status it answers with (and that answer's
 * schema). `app.ts` validates requests with these schemas and
 * `openapi.ts` documents them, so both read the same table.
 */
import type { z } from "zod";
import {
  addressesResponse,
  addressQuery,
  banAddressParams,
  banBody,
  banCreatedResponse,
  bansResponse,
  chainResponse,
  connectBody,
  connectResponse,
  errorResponse,
  healthResponse,
  inventoryResponse,
  okResponse,
  peerIdParams,
  peerResponse,
  peersResponse,
  readyResponse,
  statusResponse,
  submitBlockBody,
  submitBlockResponse,
} from "./schemas.ts";
import { MAX_BODY_BYTES } from "./input.ts";

/** One documented answer of a route. */
export interface RouteResponse {
  readonly description: string;
  /** The JSON body's schema; absent for non-JSON bodies. */
  readonly schema?: z.ZodType;
  /** Content type when the body is not JSON. */
  readonly contentType?: string;
}

/** One route. */
export interface RouteSpec {
  readonly method: "get" | "post" | "delete";
  /** Hono path syntax (`/peers/:id`). */
  readonly path: string;
  readonly summary: string;
  /** Needs `Authorization: Bearer <token>`. */
  readonly control?: boolean;
  /** Path parameters (an object schema over the strings hono gives). */
  readonly params?: z.ZodObject;
  /** Query parameters (an object schema over the strings of the query). */
  readonly query?: z.ZodObject;
  /** The JSON body. */
  readonly body?: z.ZodObject;
  /** Largest body accepted, bytes (413 above). Default `MAX_BODY_BYTES` (64 KiB). */
  readonly maxBodyBytes?: number;
  readonly responses: Readonly<Record<number, RouteResponse>>;
}

const invalid = {
  400: { description: "Invalid input; each invalid field is named", schema: errorResponse },
};
const unauthorized = {
  401: {
    description: "Missing or wrong bearer token, or no token is configured",
    schema: errorResponse,
  },
};
const tooLarge = {
  413: { description: `Body over ${MAX_BODY_BYTES / 1024} KiB`, schema: errorResponse },
};

/**
 * Largest `POST /blocks` body: a block of `MAX_BLOCK_SERIALIZED_SIZE`
 * (4,000,000 bytes) is 8,000,000 hex digits; 8 MiB leaves room for the JSON
 * around them.
 */
export const MAX_BLOCK_BODY_BYTES = 8 * 1024 * 1024;
const notFound = (what: string) => ({
  404: { description: `No such ${what}`, schema: errorResponse },
});

/** Every route of the API. */
export const ROUTES = {
  dashboard: {
    method: "get",
    path: "/",
    summary: "The dashboard: one self-contained HTML page",
    responses: { 200: { description: "The page", contentType: "text/html" } },
  },
  health: {
    method: "get",
    path: "/health",
    summary: "Liveness: the process answers",
    responses: { 200: { description: "Alive", schema: healthResponse } },
  },
  ready: {
    method: "get",
    path: "/ready",
    summary: "Readiness: listening and at least one peer",
    responses: {
      200: { description: "Ready", schema: readyResponse },
      503: { description: "Not ready, with the reasons", schema: readyResponse },
    },
  },
  status: {
    method: "get",
    path: "/status",
    summary: "The node at a glance",
    responses: { 200: { description: "Status", schema: statusResponse } },
  },
  peers: {
    method: "get",
    path: "/peers",
    summary: "Every connected peer",
    responses: { 200: { description: "Peers", schema: peersResponse } },
  },
  peer: {
    method: "get",
    path: "/peers/:id",
    summary: "One peer",
    params: peerIdParams,
    responses: {
      200: { description: "The peer", schema: peerResponse },
      ...invalid,
      ...notFound("peer"),
    },
  },
  addresses: {
    method: "get",
    path: "/addresses",
    summary: "A page of the address book, with counts per network and table",
    query: addressQuery,
    responses: { 200: { description: "One page", schema: addressesResponse }, ...invalid },
  },
  bans: {
    method: "get",
    path: "/bans",
    summary: "Bans in force, soonest-ending first",
    responses: { 200: { description: "Bans", schema: bansResponse } },
  },
  chain: {
    method: "get",
    path: "/chain",
    summary: "Header chain tip and the last headers",
    responses: { 200: { description: "Chain", schema: chainResponse } },
  },
  inventory: {
    method: "get",
    path: "/inventory",
    summary: "Recent blocks and per-peer known inventory",
    responses: { 200: { description: "Inventory", schema: inventoryResponse } },
  },
  metrics: {
    method: "get",
    path: "/metrics",
    summary: "Prometheus text exposition 0.0.4",
    responses: { 200: { description: "Metrics", contentType: "text/plain; version=0.0.4" } },
  },
  events: {
    method: "get",
    path: "/events",
    summary: "Server-Sent Events: peer.connected, peer.disconnected, block.accepted, ...",
    responses: {
      200: {
        description: "An event stream (event: type, data: JSON)",
        contentType: "text/event-stream",
      },
      503: { description: "Too many event streams open", schema: errorResponse },
    },
  },
  openapi: {
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    responses: { 200: { description: "OpenAPI 3.1", contentType: "application/json" } },
  },
  connect: {
    method: "post",
    path: "/peers",
    summary: "Connect to a peer",
    control: true,
    body: connectBody,
    responses: {
      200: { description: "Already connected", schema: connectResponse },
      202: { description: "Dialing", schema: connectResponse },
      ...invalid,
      ...unauthorized,
      409: {
        description: "Refused (e.g. banned, or at the connection limit)",
        schema: errorResponse,
      },
      ...tooLarge,
    },
  },
  disconnect: {
    method: "delete",
    path: "/peers/:id",
    summary: "Disconnect a peer",
    control: true,
    params: peerIdParams,
    responses: {
      200: { description: "Disconnected", schema: okResponse },
      ...invalid,
      ...unauthorized,
      ...notFound("peer"),
    },
  },
  ban: {
    method: "post",
    path: "/bans",
    summary: "Ban an address (and disconnect its peers)",
    control: true,
    body: banBody,
    responses: {
      200: { description: "The ban", schema: banCreatedResponse },
      ...invalid,
      ...unauthorized,
      409: {
        description: "The ban ended at once (a full ban list, or a ban shorter than its save)",
        schema: errorResponse,
      },
      ...tooLarge,
    },
  },
  unban: {
    method: "delete",
    path: "/bans/:address",
    summary: "Lift a ban",
    control: true,
    params: banAddressParams,
    responses: {
      200: { description: "Lifted", schema: okResponse },
      ...invalid,
      ...unauthorized,
      ...notFound("ban"),
    },
  },
  submitBlock: {
    method: "post",
    path: "/blocks",
    summary: "Submit a raw block (like Core's submitblock); one that extends the tip is relayed",
    control: true,
    body: submitBlockBody,
    maxBodyBytes: MAX_BLOCK_BODY_BYTES,
    responses: {
      200: { description: "Accepted, held as an orphan, or known", schema: submitBlockResponse },
      400: {
        description: "Invalid input, or the block was rejected (the reason is in the error)",
        schema: errorResponse,
      },
      ...unauthorized,
      413: {
        description: `Body over ${MAX_BLOCK_BODY_BYTES / 1024 / 1024} MiB`,
        schema: errorResponse,
      },
      503: { description: "The node is not running", schema: errorResponse },
    },
  },
} as const satisfies Record<string, RouteSpec>;

/** A route's name in `ROUTES`. */
export type RouteName = keyof typeof ROUTES;
