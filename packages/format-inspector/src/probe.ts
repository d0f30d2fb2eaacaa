import { formatBytes, toSafeNumber } from './bytes.js';

/**
 * A probe recognises one format. It is a generator that asks for byte regions and is resumed with
 * them, so the same probe runs over positioned reads of a file and over a stream read once:
 * - `{ at, length }` a region from the start of the data; the answer is shorter at end of data;
 * - `{ tail }` the last bytes of the data (answered only once the whole stream has been seen).
 * A probe returns null when the data is not its format, or a Finding once it has matched.
 */
export type Need = { readonly at: number; readonly length: number } | { readonly tail: number };
export type Probe = Generator<readonly Need[], Finding | null, readonly Buffer[]>;

export interface ProbeSpec {
  readonly name: string;
  run(): Probe;
}

/** One named safety check and its outcome. */
export interface Check {
  name: string;
  passed: boolean;
  reason?: string;
  /** Failed, but the operator made this check non-fatal (e.g. `gpt_safety_checks_nonfatal`). */
  nonfatal?: boolean;
}

export interface Finding {
  format: string;
  /** Omitted for formats without a size field: the size of the data minus `headerBytes`. */
  virtualSize?: number;
  headerBytes?: number;
  checks: Check[];
  /**
   * VMDK only, judged against the allowed list when the verdict is made: the descriptor's createType,
   * null when a descriptor was read but names none; absent when no descriptor was read.
   */
  createType?: string | null;
}

/** Regions one probe may ask for in one step, and the retained tail; both bound memory per inspection. */
export const MAX_NEED = 1 << 20;
export const MAX_TAIL = 4096;
/** Steps a probe may take; a header chain longer than this is treated as crafted. */
export const MAX_STEPS = 8;

export const pass = (name: string): Check => ({ name, passed: true });
export const fail = (name: string, reason: string): Check => ({ name, passed: false, reason });

/** The data starts like `format` but its header is cut short. */
export function truncated(format: string, got: number, wanted: number, what = 'header'): Finding {
  return { format, checks: [fail('header', `${format} ${what} is truncated (${got} of ${wanted} bytes)`)] };
}

/** The data starts like `format` but its structure contradicts itself. */
export function malformed(format: string, reason: string): Finding {
  return { format, checks: [fail('header', `${format} ${reason}`)] };
}

/**
 * A header's size field as a virtual size, with the check that it is a size a disk can have: a
 * field beyond 2^53 bytes (8 PiB) is a lie meant to overflow whoever computes with it.
 */
export function sizeField(format: string, bytes: bigint): { virtualSize: number; check: Check } {
  const n = toSafeNumber(bytes);
  if (n === undefined) {
    return { virtualSize: 0, check: fail('virtual_size', `${format} header declares a virtual size of ${formatBytes(bytes)}, more than any disk can have`) };
  }
  return { virtualSize: n, check: pass('virtual_size') };
}
