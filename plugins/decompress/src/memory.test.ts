import { execSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decompressFile } from './decompress.js';
import type { Format } from './detect.js';
import { removeTmp, tmp } from './compressed.fixture.js';

const SIZE = 256 << 20;
// Made by the CLIs from /dev/zero straight to disk, so this process never holds the data.
const make: Record<Format, string> = {
  gzip: 'gzip',
  zstd: 'zstd -q',
  xz: 'xz',
  bzip2: 'bzip2',
  zip: 'zip -q - -',
};

describe('decompressFile memory', () => {
  it.each(Object.keys(make) as Format[])(
    'streams 256 MiB of %s output with little memory growth',
    async (format) => {
      const dir = tmp('dz-mem-');
      const src = path.join(dir, 'in');
      execSync(`head -c ${SIZE} /dev/zero | ${make[format]} > ${src}`);
      const before = process.memoryUsage().rss;
      let peak = before;
      const sample = () => {
        peak = Math.max(peak, process.memoryUsage().rss);
      };
      const timer = setInterval(sample, 5);
      try {
        const result = await decompressFile(src, `${src}.uc`, format, {
          limits: { imageSizeCap: 2 ** 40, maxRatio: 0, maxOutputBytes: 0 },
          signal: new AbortController().signal,
          progress: { report: sample },
        });
        sample();
        expect(result.outputBytes).toBe(SIZE);
        expect(statSync(`${src}.uc`).size).toBe(SIZE);
      } finally {
        clearInterval(timer);
        removeTmp(); // 512 MiB per format
      }
      // Holding the output would add 256 MiB or more; what is allowed covers one bzip2 block, which
      // decodes in one synchronous call (46 MB for a block of zeros), and garbage not yet collected.
      expect(peak - before).toBeLessThan(128 << 20);
    },
    60_000,
  );
});
