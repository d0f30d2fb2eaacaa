import type { IncomingHttpHeaders } from 'node:http';
import { giError } from '../errors.js';

/** One request of a download (a redirect makes another): what `pinnedGet` is asked and answers. */

export interface HopOptions {
  /** Until the connection is usable: TCP, and the TLS handshake for https. */
  connectTimeoutMs: number;
  /** Longest silence from the source, headers and body alike, before it counts as stalled. */
  readTimeoutMs: number;
  signal: AbortSignal;
  /** Extra request headers (glance-download sends the caller's token). */
  headers?: Record<string, string>;
}

export interface HopResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** Content-Length when the body is framed by it (absent with chunked encoding). */
  contentLength?: number;
  /** The body; fails on a stall, a connection that breaks off, or a length other than announced. */
  body: AsyncIterable<Buffer>;
  /** Drop the response without reading it (redirects, errors). */
  discard(): void;
  /**
   * The consumer holds none of the first `bytes` body bytes any more: their memory may be reused for
   * later reads. Optional to call (without it every read gets fresh memory); never call it early.
   */
  release?(bytes: number): void;
}

// The staged bytes must be the image itself, not a compressed transfer of it.
export const HOP_HEADERS = { 'accept-encoding': 'identity', 'user-agent': 'glance-import web-download' } as const;

/** Why a body failed, in the same words whichever client read it. */
export const bodyFailure = {
  short: (got: number, expected: number) => `the connection closed after ${got} of the ${expected} bytes announced by Content-Length`,
  long: (expected: number) => `the source sent more than the ${expected} bytes announced by Content-Length`,
  brokeOff: (got: number, why: string) => `the connection broke off after ${got} bytes (${why})`,
};

export const hopTimeout = (uri: string, phase: 'connect' | 'read', ms: number) => giError('GI_METHOD_DOWNLOAD_TIMEOUT', { uri, phase, seconds: ms / 1000 });
