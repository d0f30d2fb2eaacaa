import { fail, pass, type Check, type Finding } from './probe.js';
import { INSPECTABLE } from './probes.js';
import { inspectorVersion } from './version.js';

export interface InspectOptions {
  /** The image's `disk_format`; when given, the data must agree with it (see `formatMatches`). */
  declaredFormat?: string;
  /** `[image_format] vmdk_allowed_types`; default monolithicSparse and streamOptimized. */
  vmdkAllowedTypes?: readonly string[];
  /** `[image_format] gpt_safety_checks_nonfatal`: checks of a `gpt` disk that only warn, e.g. `mbr`. */
  gptSafetyChecksNonfatal?: readonly string[];
  /** `[image_format] require_image_format_match`; false makes a disagreement with declaredFormat a warning. Default true. */
  requireFormatMatch?: boolean;
}

export interface InspectionResult {
  /** What the bytes are: raw, qcow2, vmdk, vhd, vhdx, vdi, iso, qed, luks or gpt (a partitioned raw disk). */
  format: string;
  /** The `disk_format` the bytes correspond to: `format`, except gpt, which Glance stores as raw. */
  diskFormat: string;
  virtualSize: number;
  actualSize: number;
  safe: boolean;
  /** Present when unsafe, e.g. "unsafe: qcow2 has a backing file". */
  reason?: string;
  checks: Check[];
  /** The declaredFormat the data was checked against, if any. */
  declaredFormat?: string;
  /** Whether the bytes are what declaredFormat says (Glance's equivalences applied); undefined without one. */
  formatMatches: boolean | undefined;
  inspectorVersion: string;
}

export const DEFAULT_VMDK_TYPES = ['monolithicSparse', 'streamOptimized'] as const;

/** Pairs oslo's callers accept: a hybrid ISO (or a fixed VHD of a partitioned disk) also carries an MBR. */
const WITH_MBR = new Set(['iso', 'vhd']);

function pick(findings: Finding[]): { finding: Finding | undefined; extra: Check[] } {
  if (findings.length <= 1) return { finding: findings[0], extra: [] };
  const rest = findings.filter((f) => f.format !== 'gpt');
  if (rest.length === 1 && findings.length === 2 && WITH_MBR.has(rest[0]!.format)) return { finding: rest[0], extra: [] };
  const names = findings.map((f) => f.format).join(', ');
  return { finding: rest[0] ?? findings[0], extra: [fail('multiple_formats', `data matches several formats (${names})`)] };
}

function createTypeCheck(type: string | null, allowed: readonly string[]): Check {
  if (!type) return fail('create_type', 'vmdk descriptor names no createType');
  if (allowed.length === 0)
    return fail('create_type', 'vmdk images are not allowed: no VMDK createType is allowed ([image_format] vmdk_allowed_types is empty)');
  if (!allowed.some((a) => a.toLowerCase() === type.toLowerCase())) {
    return fail('create_type', `vmdk createType '${type}' is not allowed (allowed: ${allowed.join(', ')})`);
  }
  return pass('create_type');
}

/** §7.3 of the spec: what Glance accepts when a declared disk_format meets the detected one. */
function formatCheck(declared: string, format: string, diskFormat: string): { matches: boolean; check: Check } {
  if (declared === diskFormat || declared === format) return { matches: true, check: pass('format_match') };
  if (diskFormat === 'raw' && !INSPECTABLE.has(declared)) return { matches: true, check: pass('format_match') };
  if (declared === 'raw') {
    return { matches: false, check: { name: 'format_match', passed: true, reason: `declared raw, but the data is ${format}; it will be stored as raw bytes` } };
  }
  return { matches: false, check: fail('format_match', `disk_format is ${declared}, but the data is ${format}`) };
}

/** Turn what the probes found into the one result callers see. */
export function verdict(findings: Finding[], actualSize: number, opts: InspectOptions = {}): InspectionResult {
  const { finding, extra } = pick(findings);
  const format = finding?.format ?? 'raw';
  const diskFormat = format === 'gpt' ? 'raw' : format;
  const checks: Check[] = [...(finding?.checks ?? []), ...extra].map((c) => ({ ...c }));
  if (finding?.createType !== undefined) checks.push(createTypeCheck(finding.createType, opts.vmdkAllowedTypes ?? DEFAULT_VMDK_TYPES));
  let formatMatches: boolean | undefined;
  if (opts.declaredFormat !== undefined) {
    const f = formatCheck(opts.declaredFormat, format, diskFormat);
    formatMatches = f.matches;
    checks.push(opts.requireFormatMatch === false && !f.check.passed ? { ...f.check, nonfatal: true } : f.check);
  }
  if (format === 'gpt') {
    const nonfatal = new Set(opts.gptSafetyChecksNonfatal ?? []);
    for (const c of checks) if (!c.passed && nonfatal.has(c.name)) c.nonfatal = true;
  }
  const fatal = checks.filter((c) => !c.passed && !c.nonfatal);
  const virtualSize = finding?.virtualSize ?? Math.max(0, actualSize - (finding?.headerBytes ?? 0));
  return {
    format,
    diskFormat,
    virtualSize,
    actualSize,
    safe: fatal.length === 0,
    ...(fatal.length ? { reason: `unsafe: ${fatal.map((c) => c.reason).join('; ')}` } : {}),
    checks,
    ...(opts.declaredFormat !== undefined ? { declaredFormat: opts.declaredFormat } : {}),
    formatMatches,
    inspectorVersion: inspectorVersion(),
  };
}
