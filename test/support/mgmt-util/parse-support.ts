/** The mgmt-util parser tests' one transcript helper of their own (the loader is test/support/fixtures.ts). */
/** Drops the documented echo line (`aws-cloudhsm> listUsers`) from a transcript. */
export function withoutEcho(text: string): string {
  return text.replace(/^aws-cloudhsm>.*\n/, '');
}
