/**
 * The secrets scanner: looks for a password in plain text, base64 (standard and URL alphabet,
 * at each of the three byte alignments it can have inside a longer encoded value) and hex
 * (either case), and for any 10 consecutive characters of it in plain text (a password cut by
 * a truncated message is still a leak), in texts and in every file below some folders.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecretForm {
  encoding: 'plain' | 'fragment' | 'base64' | 'base64url' | 'hex';
  text: string;
}

export interface SecretHit {
  /** The text or file that holds it. */
  where: string;
  encoding: SecretForm['encoding'];
}

/** A run of this many characters of the password, found in plain text, is a leak. */
export const FRAGMENT = 10;

/** Every form the password takes in the encodings scanned. */
export function secretForms(password: string): SecretForm[] {
  const bytes = Buffer.from(password, 'utf8');
  const forms: SecretForm[] = [{ encoding: 'plain', text: password }];
  for (let offset = 0; offset < 3; offset++) {
    // Inside a longer value the password may start at any byte of a 3-byte group: the
    // characters that also encode its neighbours are left out.
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const whole = Math.floor((offset + bytes.length) / 3) * 4;
    const core = encoded.slice(offset === 0 ? 0 : 4, whole);
    if (core.length >= 8) {
      forms.push({ encoding: 'base64', text: core });
      forms.push({ encoding: 'base64url', text: core.replace(/\+/g, '-').replace(/\//g, '_') });
    }
  }
  for (let start = 0; start + FRAGMENT <= password.length && password.length > FRAGMENT; start++) {
    forms.push({ encoding: 'fragment', text: password.slice(start, start + FRAGMENT) });
  }
  const hex = bytes.toString('hex');
  forms.push({ encoding: 'hex', text: hex }, { encoding: 'hex', text: hex.toUpperCase() });
  return forms;
}

/** The forms of the password found in one text. */
export function scanText(where: string, text: string, password: string): SecretHit[] {
  const found = new Set<SecretForm['encoding']>();
  for (const form of secretForms(password)) if (text.includes(form.text)) found.add(form.encoding);
  return [...found].map((encoding) => ({ where, encoding }));
}

/** Every regular file below each path (a file path is scanned itself). Symbolic links are not followed. */
export function filesBelow(path: string): string[] {
  let info: ReturnType<typeof lstatSync>;
  try {
    info = lstatSync(path);
  } catch {
    return [];
  }
  if (info.isFile()) return [path];
  if (!info.isDirectory()) return [];
  return readdirSync(path).flatMap((entry) => filesBelow(join(path, entry)));
}

/** A file removed between the listing and the read (a shared work folder other runs clean up) holds nothing. */
function readOrEmpty(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

export interface ScanResult {
  hits: SecretHit[];
  /** How many files and texts were looked at (so a test can say the scan covered something). */
  files: number;
  texts: number;
}

/** Scans the files below `paths` and the named `texts` for the password. */
export function scanForSecret(
  password: string,
  paths: readonly string[],
  texts: Readonly<Record<string, string>>,
): ScanResult {
  const files = [...new Set(paths.flatMap(filesBelow))];
  const hits = [
    ...files.flatMap((file) => scanText(file, readOrEmpty(file).toString('latin1'), password)),
    ...files.flatMap((file) => scanText(file, readOrEmpty(file).toString('utf8'), password)),
    ...Object.entries(texts).flatMap(([where, text]) => scanText(where, text, password)),
  ];
  const unique = new Map(hits.map((h) => [`${h.where}\u0000${h.encoding}`, h]));
  return { hits: [...unique.values()], files: files.length, texts: Object.keys(texts).length };
}
