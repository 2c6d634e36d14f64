/**
 * The vocabulary of disk-image inspection: options, verdicts and the refusal taxonomy.
 * The reason keys are the ones the disk-image corpus manifest uses (`reason_keys`), so a test
 * can compare a verdict with `acceptable_reasons` directly.
 */

/** Stable, machine-readable refusal reasons, with what each one means. */
export const REFUSAL_REASONS = {
  backing_file: 'the image names a backing or parent image that a consumer would open',
  data_file: 'qcow2 external data file (guest clusters live in another file)',
  vmdk_extent_outside: 'VMDK whose data is, or may be, outside the uploaded file',
  format_mismatch: 'the declared disk format does not match the detected content',
  multiple_formats: 'the content matches more than one format (polyglot)',
  truncated: 'the file ends before structures its header declares',
  invalid_header: 'format signature present but header fields are invalid, inconsistent or unsupported',
  virtual_size_too_large: 'the virtual size is above the configured maximum',
  unknown_feature: 'a feature flag or required structure the inspector does not know',
  encrypted: 'encrypted image, and encryption is not allowed',
  unsupported_format: 'a recognised format Imago does not accept as a disk image',
} as const;

export type RefusalReason = keyof typeof REFUSAL_REASONS;

/** Formats an accepted verdict can carry (Glance `disk_format` names; VHD is `vhd`). */
export const ACCEPTED_FORMATS = ['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso'] as const;
export type AcceptedFormat = (typeof ACCEPTED_FORMATS)[number];

/**
 * Formats that are recognised only to be refused: legacy or non-disk formats that qemu probes,
 * and compressed or archive containers.
 */
export type RefusedFormat =
  | 'qcow' | 'qed' | 'parallels' | 'bochs' | 'cloop' | 'luks' | 'dmg'
  | 'gzip' | 'xz' | 'zstd' | 'bzip2' | 'lz4' | 'zip' | '7z' | 'tar';

export type DetectedFormat = AcceptedFormat | RefusedFormat;

export interface InspectOptions {
  /** Largest virtual size accepted, in bytes. Default 1 TiB. */
  maxVirtualSize?: number;
  /** Accept encrypted qcow2 (LUKS or legacy AES). Default false. A LUKS container is never accepted. */
  allowEncrypted?: boolean;
  /**
   * The `disk_format` the client declared. When set, the verdict also checks it against the
   * detected format (see `checkDeclaredFormat`), and a mismatch can be refused early.
   */
  declaredFormat?: string | null;
  /** Glance's `require_image_format_match`. Default true (strict). */
  requireFormatMatch?: boolean;
}

export const DEFAULT_MAX_VIRTUAL_SIZE = 2 ** 40;

/** Format-specific facts of an accepted image (e.g. qcow2 `version`, `clusterSize`; raw `partitionTable`). */
export type FormatDetails = Readonly<Record<string, string | number | boolean>>;

export interface AcceptedVerdict {
  ok: true;
  format: AcceptedFormat;
  /** Guest-visible size in bytes, as `qemu-img info -f <format>` reports it. */
  virtualSize: number;
  /** Bytes inspected (the file or stream length). */
  fileSize: number;
  details: FormatDetails;
}

export interface RefusedVerdict {
  ok: false;
  reason: RefusalReason;
  /** For people; may quote (sanitised) names found in the image. */
  message: string;
  /** The detected format, when the refusal is about a recognised format. */
  format?: string;
}

export type InspectionVerdict = AcceptedVerdict | RefusedVerdict;
