import { fail, pass, type Check } from '../probe.js';

/**
 * The text part of a VMDK: `key="value"` header fields, `ddb.*` lines, comments, and extent lines
 * (`RW 131072 SPARSE "disk.vmdk"`). It is parsed the cautious way oslo does: any line we do not
 * understand makes the descriptor invalid.
 */
export interface Descriptor {
  /** As written (case kept); undefined when the descriptor names none. */
  createType: string | undefined;
  /** The descriptor's own problems (createType is judged later, against the allowed list). */
  check: Check;
  /** Extent file names as quoted in the extent lines. */
  extentFiles: string[];
  /** Sum of the extents' sizes, in 512-byte sectors. */
  sectors: bigint;
}

const ACCESS = ['rw', 'rdonly', 'noaccess'];
const MAX_TYPE = 64;

/** The descriptor bytes as text: up to the first NUL (sparse files pad it), ASCII only. */
export function descriptorText(raw: Buffer): string | undefined {
  const end = raw.indexOf(0);
  const bytes = end < 0 ? raw : raw.subarray(0, end);
  for (const c of bytes) if (c > 0x7f) return undefined;
  return bytes.toString('latin1');
}

/** createType="…" as qemu finds it. Several mentions (e.g. one hidden in a comment) are refused. */
function createTypeOf(text: string): { value?: string; problem?: string } {
  const lower = text.toLowerCase();
  const first = lower.indexOf('createtype');
  if (first < 0) return {};
  if (lower.indexOf('createtype', first + 1) >= 0) return { problem: 'names createType more than once' };
  const m = /^createtype\s*=\s*"([^"\n]*)"/i.exec(text.slice(first));
  if (!m || m[1]!.length >= MAX_TYPE) return { problem: 'has an unreadable createType' };
  return { value: m[1]! };
}

function lineProblem(line: string): string | undefined {
  if (line === '' || line.startsWith('#') || line.startsWith('ddb')) return undefined;
  const eq = line.indexOf('=');
  if (eq > 0 && !line.slice(0, eq).includes(' ')) return undefined;
  if (ACCESS.includes(line.split(' ')[0]!)) return undefined;
  return 'has a line that is not a header field, comment, ddb entry or extent';
}

export function parseDescriptor(text: string): Descriptor {
  const type = createTypeOf(text);
  const lines = text.split('\n').map((l) => l.trim().toLowerCase());
  const extents = text
    .split('\n')
    .map((l) => l.trim())
    .filter((_, i) => ACCESS.includes(lines[i]!.split(' ')[0]!));
  const extentFiles = extents.map((l) => /"([^"]*)"/.exec(l)?.[1] ?? '').filter((f) => f !== '');
  let sectors = 0n;
  for (const l of extents) sectors += BigInt(/^\S+\s+(\d{1,20})\b/.exec(l)?.[1] ?? 0);
  const problem =
    type.problem ??
    lines.map(lineProblem).find((p) => p !== undefined) ??
    (extents.some((l) => l.includes('/')) ? 'names extent files with a path' : undefined) ??
    (extents.length === 0 ? 'has no extents' : undefined);
  return {
    createType: type.value,
    check: problem ? fail('descriptor', `vmdk descriptor ${problem}`) : pass('descriptor'),
    extentFiles,
    sectors,
  };
}
