import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { create, gptDisk, isoBytes, luksBytes, MiB, qemuImg, workDir, writeBytes, writeMbr } from './corpus.fixture.js';
import { inspectFile } from './inspect-file.js';
import { StreamInspector } from './stream.js';
import type { InspectionResult } from './verdict.js';

/** mulberry32: a small seeded PRNG, so every run mutates the same way and a failure replays. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! };
}

interface Seed {
  name: string;
  data: Buffer;
  windows: Array<[number, number]>;
}

const FORMATS = new Set(['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso', 'qed', 'luks', 'gpt']);
const BOUNDARIES = [0n, 1n, 0x7fn, 0xffn, 0x200n, 0x7fffffffn, 0xffffffffn, 2n ** 53n, 2n ** 63n - 1n, 2n ** 64n - 1n];
const MAGICS: Array<[number, string]> = [
  [0, 'QFI\xfb'],
  [0, 'KDMV'],
  [0, 'conectix'],
  [0, 'vhdxfile'],
  [0, 'QED\0'],
  [0, 'LUKS\xba\xbe'],
  [32769, 'CD001'],
  [510, 'U\xaa'],
  [196608, 'regi'],
];
const CHUNKS = [1, 3, 61, 512, 4093, 65536, Infinity];

function mutate(seed: Seed, rnd: ReturnType<typeof prng>): Buffer {
  const b = Buffer.from(seed.data);
  const at = () => {
    const [from, to] = rnd.pick(seed.windows);
    return Math.min(b.length - 1, from + rnd.int(Math.max(1, to - from)));
  };
  for (let i = 0, n = 1 + rnd.int(6); i < n; i++) {
    const kind = rnd.int(4);
    if (kind === 0) b[at()] = rnd.int(256);
    if (kind === 1) {
      const v = rnd.pick(BOUNDARIES) & ((1n << 64n) - 1n);
      const o = Math.min(at(), b.length - 8);
      if (o >= 0) rnd.int(2) ? b.writeBigUInt64LE(v, o) : b.writeBigUInt64BE(v, o);
    }
    if (kind === 2) {
      const [o, m] = rnd.pick(MAGICS);
      if (o + m.length <= b.length) b.write(m, o, 'latin1');
    }
    if (kind === 3 && rnd.int(3) === 0) return b.subarray(0, rnd.int(4) ? at() : rnd.int(b.length + 1));
  }
  return b;
}

function streamVerdict(data: Buffer, rnd: ReturnType<typeof prng>): InspectionResult {
  const s = new StreamInspector();
  // Small chunks where the headers are, so regions straddle chunk boundaries; then larger ones.
  const small = rnd.pick(CHUNKS.slice(0, 4));
  const large = rnd.pick(CHUNKS.slice(3));
  for (let i = 0; i < data.length;) {
    const n = i < 2048 ? small : large;
    s.update(data.subarray(i, i + n));
    i += n;
  }
  return s.result({ declaredFormat: rnd.pick(['raw', 'qcow2', 'vmdk', 'iso']) });
}

function expectClean(r: InspectionResult, label: string): void {
  expect(FORMATS.has(r.format), label).toBe(true);
  expect(Number.isSafeInteger(r.virtualSize) && r.virtualSize >= 0, label).toBe(true);
  expect(typeof r.safe, label).toBe('boolean');
  if (r.safe) expect(r.reason, label).toBeUndefined();
  else expect(r.reason, label).toMatch(/^unsafe: \S/);
  for (const c of r.checks) if (!c.passed) expect(c.reason, `${label} ${c.name}`).toBeTruthy();
  // A failed `inspector` check means a probe threw or overran its bounds: a bug to fix, not a verdict.
  expect(
    r.checks.filter((c) => c.name === 'inspector'),
    label,
  ).toEqual([]);
}

describe('fuzzing the inspector with mutated headers', () => {
  const dir = workDir();
  const seeds: Seed[] = [];
  const head = [0, 1024] as [number, number];

  beforeAll(() => {
    const file = (name: string, format: string, size: string, o?: string) => readFileSync(create(dir, name, format, size, o));
    const vhdx = file('s.vhdx', 'vhdx', '64M').subarray(0, 3 * MiB + 128 * 1024);
    const raw = writeBytes(dir, 'r.raw', Buffer.alloc(MiB, 0x5a));
    qemuImg('convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, path.join(dir, 'so.vmdk'));
    const so = readFileSync(path.join(dir, 'so.vmdk'));
    const tail = (b: Buffer): [number, number] => [Math.max(0, b.length - 2048), b.length];
    const add = (name: string, data: Buffer, ...windows: Array<[number, number]>) => seeds.push({ name, data, windows: [head, tail(data), ...windows] });
    add('qcow2', file('s.qcow2', 'qcow2', '1G'));
    add('qcow2v2', file('s2.qcow2', 'qcow2', '1G', 'compat=0.10'));
    add('vmdk', file('s.vmdk', 'vmdk', '1G'), [512, 2048]);
    add('vmdk-stream', so, [512, 2048]);
    add('vmdk-text', readFileSync(create(dir, 'flat.vmdk', 'vmdk', '1M', 'subformat=monolithicFlat')));
    add('vhd', file('s.vhd', 'vpc', '64M'));
    add('vhd-fixed', file('f.vhd', 'vpc', '1M', 'subformat=fixed'));
    add('vhdx', vhdx, [196608, 196608 + 256], [3 * MiB, 3 * MiB + 256], [3 * MiB + 65536, 3 * MiB + 65600]);
    add('vdi', file('s.vdi', 'vdi', '64M'));
    add('qed', file('s.qed', 'qed', '64M').subarray(0, 64 * 1024));
    add('iso', writeMbr(isoBytes(40), [{ boot: 0x80, type: 0x17, lba: 0, sectors: 160 }]), [32768, 32768 + 256]);
    add('gpt', gptDisk(64 * 1024), [446, 512]);
    add('luks', luksBytes(1, 8, 64 * 1024));
    add('raw', Buffer.alloc(64 * 1024, 0x11));
  });

  it('gives a clean verdict for every one of 3000 mutants, quickly, the same from a file and a stream', async () => {
    const started = Date.now();
    let slowest = 0;
    const seen = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const rnd = prng(i + 1);
      const seed = seeds[i % seeds.length]!;
      const data = mutate(seed, rnd);
      const label = `mutant #${i} of ${seed.name}`;
      const t0 = performance.now();
      const r = streamVerdict(data, rnd);
      slowest = Math.max(slowest, performance.now() - t0);
      try {
        expectClean(r, label);
      } catch (e) {
        // qemu-img stamps random IDs into the seeds, so keep the exact bytes of a failing mutant.
        writeFileSync(path.join(dir, `failing-mutant-${i}`), data);
        throw new Error(`${(e as Error).message}\n(bytes kept in ${path.join(dir, `failing-mutant-${i}`)})`);
      }
      seen.set(`${r.format}:${r.safe}`, (seen.get(`${r.format}:${r.safe}`) ?? 0) + 1);
      if (i % 10 === 0) {
        const f = path.join(dir, 'mutant');
        writeFileSync(f, data);
        const fromFile = await inspectFile(f, { declaredFormat: r.declaredFormat! });
        expect(fromFile, label).toEqual(r);
      }
    }
    expect(slowest).toBeLessThan(500);
    expect(Date.now() - started).toBeLessThan(60_000);
    // The mutants reach both verdicts for most formats, so the checks above were exercised.
    for (const f of ['qcow2', 'vmdk', 'vhd', 'vhdx', 'iso', 'gpt']) expect([seen.has(`${f}:true`), seen.has(`${f}:false`)], f).toEqual([true, true]);
  }, 120_000);
});
