/**
 * What no text output may carry raw, checked independently of `escapeForText`: C0 and C1
 * controls, DEL, soft hyphen, bidi and zero-width format characters, line and paragraph
 * separators, the byte-order mark, U+FFFD and lone surrogates.
 */

/** The first such character of `text` as `U+XXXX`, or null. Line breaks are allowed when asked. */
export function firstRawCharacter(text: string, options: { lineBreaks?: boolean } = {}): string | null {
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp === 0x0a && options.lineBreaks) continue;
    const control = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
    const format =
      cp === 0xad ||
      cp === 0x61c ||
      (cp >= 0x200b && cp <= 0x200f) ||
      (cp >= 0x2028 && cp <= 0x202e) ||
      (cp >= 0x2060 && cp <= 0x2069) ||
      cp === 0xfeff ||
      cp === 0xfffd;
    const loneSurrogate = cp >= 0xd800 && cp <= 0xdfff;
    if (control || format || loneSurrogate) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return null;
}
