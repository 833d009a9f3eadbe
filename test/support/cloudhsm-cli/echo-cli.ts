/**
 * A stand-in for cloudhsm-cli that tells what it was given: argv, the credential variables,
 * stdin. `… sleep` never answers (a hung CLI); `… echo-pin` also prints CLOUDHSM_PIN (a CLI
 * that leaks it) on stdout and stderr. Run with the project's Node.
 */
let stdin = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  stdin += chunk;
});
process.stdin.on('end', () => {
  const argv = process.argv.slice(2);
  if (argv.includes('sleep')) {
    setInterval(() => {}, 1000);
    return;
  }
  const leak = argv.includes('echo-pin');
  if (leak) process.stderr.write(`pin was ${process.env.CLOUDHSM_PIN}\n`);
  const data = {
    argv,
    role: process.env.CLOUDHSM_ROLE ?? null,
    pin: process.env.CLOUDHSM_PIN ?? null,
    destinationPin: process.env.DESTINATION_CLOUDHSM_PIN ?? null,
    other: process.env.HSM_SENTINEL_TEST_VALUE ?? null,
    stdin,
  };
  process.stdout.write(`${JSON.stringify({ error_code: 0, data }, null, 2)}\n`);
});
