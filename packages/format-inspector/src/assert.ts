import { giError } from './errors.js';
import { remedyFor } from './remedies.js';
import type { InspectionResult } from './verdict.js';

export interface AssertSafeOptions {
  /** Throw on a disagreement with the declared format even when the result records it as a warning. Default false. */
  strictFormatMatch?: boolean;
}

/**
 * Throw when the inspector found the data unsafe: GI_INSPECT_FORMAT_MISMATCH when the only problem
 * is a disagreement with the declared disk_format, GI_INSPECT_UNSAFE (hint: what to do about the
 * first failed check) otherwise.
 */
export function assertSafe(result: InspectionResult, opts: AssertSafeOptions = {}): void {
  const fatal = result.checks.filter((c) => !c.passed && !c.nonfatal);
  if (fatal.length === 0 && !(opts.strictFormatMatch && result.formatMatches === false)) return;
  if (fatal.every((c) => c.name === 'format_match')) {
    throw giError('GI_INSPECT_FORMAT_MISMATCH', { declared: result.declaredFormat ?? '', detected: result.format });
  }
  const reasons = fatal.map((c) => c.reason).join('; ');
  throw giError('GI_INSPECT_UNSAFE', { format: result.format, reason: reasons, fix: remedyFor(fatal[0]!.name) });
}
