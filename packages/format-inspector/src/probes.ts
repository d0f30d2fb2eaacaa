import type { ProbeSpec } from './probe.js';
import { gpt } from './formats/gpt.js';
import { qcow2 } from './formats/qcow2.js';
import { iso, luks, qed, vdi } from './formats/single-header.js';
import { vhd } from './formats/vhd.js';
import { vhdx } from './formats/vhdx.js';
import { vmdk } from './formats/vmdk.js';

/** Every format the inspector knows besides raw, which is what data is when none of them match. */
export const PROBES: readonly ProbeSpec[] = [qcow2, vmdk, vhd, vhdx, vdi, iso, qed, luks, gpt];

/** Formats with an inspector: a declared disk_format outside this list cannot be contradicted by raw data. */
export const INSPECTABLE = new Set(['raw', ...PROBES.map((p) => p.name)]);
