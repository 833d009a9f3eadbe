/**
 * `cluster hsm-info` (AWS CloudHSM user guide, cloudhsm_cli-cluster-hsm-info.html). Grammar of
 * `data`:
 * ```
 * { "hsms": [ { "vendor", "model", "serial-number", "hardware-version-major",
 *               "hardware-version-minor", "firmware-version-major", "firmware-version-minor",
 *               "firmware-build-number", "firmware-id", "fips-state" } ] }
 * ```
 * Every documented field is a required string of printable text (the doc's example is hsm1
 * hardware; hsm2m strings are UNCONFIRMED, so values are not checked against the example's).
 * The AWS example itself is not valid JSON (no comma after `firmware-id`): it is a ParseError
 * here, as any invalid JSON is. The same serial number twice is a ParseError.
 */
import { ParseError } from '#core/errors.ts';
import { type CliReplyInput, readEnvelope } from './envelope.ts';
import { asRecord, readArray, readString, type StringRule } from './fields.ts';

const COMMAND = 'cluster hsm-info';
/** The per-cluster HSM quota (28, not adjustable). */
export const MAX_HSMS = 28;
const TEXT: StringRule = { max: 256 };

/** One HSM (the documented fields, camel-cased). */
export interface ClusterHsm {
  vendor: string;
  model: string;
  serialNumber: string;
  hardwareVersionMajor: string;
  hardwareVersionMinor: string;
  firmwareVersionMajor: string;
  firmwareVersionMinor: string;
  firmwareBuildNumber: string;
  firmwareId: string;
  fipsState: string;
}

export interface HsmInfoReply {
  command: 'cluster hsm-info';
  hsms: ClusterHsm[];
}

const FIELDS: ReadonlyArray<[keyof ClusterHsm, string]> = [
  ['vendor', 'vendor'],
  ['model', 'model'],
  ['serialNumber', 'serial-number'],
  ['hardwareVersionMajor', 'hardware-version-major'],
  ['hardwareVersionMinor', 'hardware-version-minor'],
  ['firmwareVersionMajor', 'firmware-version-major'],
  ['firmwareVersionMinor', 'firmware-version-minor'],
  ['firmwareBuildNumber', 'firmware-build-number'],
  ['firmwareId', 'firmware-id'],
  ['fipsState', 'fips-state'],
];

/**
 * Reads a `cluster hsm-info` reply.
 *
 * @example parseHsmInfo(stdout).hsms.map((h) => h.serialNumber) // -> ['5.3G1941-ICM000590', …]
 */
export function parseHsmInfo(input: CliReplyInput): HsmInfoReply {
  const data = readEnvelope(COMMAND, input);
  const seen = new Set<string>();
  const hsms = readArray(COMMAND, data, 'hsms', 'data', MAX_HSMS).map((entry, i) => {
    const path = `data.hsms[${i}]`;
    const record = asRecord(COMMAND, entry, path);
    const hsm = {} as ClusterHsm;
    for (const [name, key] of FIELDS) hsm[name] = readString(COMMAND, record, key, path, TEXT);
    if (seen.has(hsm.serialNumber)) {
      throw new ParseError(
        COMMAND,
        0,
        `${path}.serial-number: ${JSON.stringify(hsm.serialNumber)} is listed twice`,
      );
    }
    seen.add(hsm.serialNumber);
    return hsm;
  });
  return { command: COMMAND, hsms };
}
