import { Transform } from 'node:stream';
import { giError } from './errors.js';

export type Guard = 'image_size_cap' | 'staging_quota' | 'max_ratio' | 'max_output_bytes';

/**
 * Output the ratio guard always allows: small outputs cannot fill a disk, and small images expand
 * far past any sane ratio. A blank 20 GiB qcow2 is 196928 bytes, 417 gzipped (472:1); a blank
 * 20 GiB vmdk is 2.6 MiB, 5253 bytes gzipped (511:1). Apache POI's zip-bomb check has such a grace size.
 */
export const RATIO_FLOOR = 16 << 20;

export interface Limits {
  imageSizeCap: number;
  stagingBytesLimit?: number;
  /** 0: no ratio limit. */
  maxRatio: number;
  /** 0: no limit of its own. */
  maxOutputBytes: number;
  inputBytes: number;
}

/**
 * How many bytes decompression may write: the tightest of the guards, checked while the data
 * streams, so a bomb is stopped at the limit instead of after filling the disk.
 */
export class OutputBudget {
  readonly limit: number;
  readonly guard: Guard;
  used = 0;

  constructor(
    readonly format: string,
    private readonly limits: Limits,
  ) {
    const candidates: Array<[Guard, number]> = [['image_size_cap', limits.imageSizeCap]];
    if (limits.stagingBytesLimit !== undefined) candidates.push(['staging_quota', limits.stagingBytesLimit]);
    if (limits.maxRatio > 0) candidates.push(['max_ratio', Math.max(limits.maxRatio * limits.inputBytes, RATIO_FLOOR)]);
    if (limits.maxOutputBytes > 0) candidates.push(['max_output_bytes', limits.maxOutputBytes]);
    const [guard, limit] = candidates.reduce((a, b) => (b[1] < a[1] ? b : a));
    this.guard = guard;
    this.limit = limit;
  }

  /** Throw if `pending` more bytes, on top of what was written, would pass the limit. */
  check(pending: number): void {
    if (this.used + pending > this.limit) {
      throw giError('GI_DECOMPRESS_TOO_LARGE', { format: this.format, limit: this.limit, guard: this.guard, inputBytes: this.limits.inputBytes });
    }
  }

  /** Count bytes that are about to be written. */
  take(n: number): void {
    this.check(n);
    this.used += n;
  }

  /** The stage in front of the output file: counts every byte and stops the stream at the limit. */
  meter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        try {
          this.take(chunk.length);
          done(null, chunk);
        } catch (e) {
          done(e as Error);
        }
      },
    });
  }
}
